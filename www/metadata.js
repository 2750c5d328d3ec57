// The book details form: metadata fields prefilled from what `inspect`
// found in the files, the cover, stylesheet and style choices, and the
// conversion options. A field the user has edited is never overwritten by a later
// prefill, so adding files or a failed conversion loses no edits.

import { isImagePath, isStylesheetPath } from './files.js';

/** Text fields by element id: the metadata key and how the text maps to a value. */
const FIELDS = [
  { id: 'title', key: 'title', kind: 'text' },
  { id: 'subtitle', key: 'subtitle', kind: 'text' },
  { id: 'authors', key: 'authors', kind: 'lines' },
  { id: 'lang', key: 'lang', kind: 'text' },
  { id: 'date', key: 'date', kind: 'text' },
  { id: 'publisher', key: 'publisher', kind: 'text' },
  { id: 'rights', key: 'rights', kind: 'text' },
  { id: 'description', key: 'description', kind: 'text' },
  { id: 'identifier', key: 'identifier', kind: 'text' },
  { id: 'subjects', key: 'subjects', kind: 'commas' },
];

const SEPARATORS = { lines: /\r?\n/, commas: ',' };
const JOINERS = { lines: '\n', commas: ', ' };

export class BookDetails {
  /** Ids of the fields and selects the user has changed. */
  #edited = new Set();
  #cover = document.getElementById('cover');
  #css = document.getElementById('css');
  #tocDepth = document.getElementById('toc-depth');
  #smart = document.getElementById('smart');
  #autoCover = document.getElementById('auto-cover');
  #style = document.getElementById('style');
  #target = document.getElementById('target');
  #vertical = document.getElementById('vertical');

  constructor() {
    for (const { id } of FIELDS) {
      document.getElementById(id).addEventListener('input', () => this.#edited.add(id));
    }
    for (const select of [this.#cover, this.#css]) {
      select.addEventListener('change', () => this.#edited.add(select.id));
    }
    this.#tocDepth.addEventListener('input', () => this.#tocDepth.setCustomValidity(''));
  }

  /** Fills the fields the user has not edited with the files' metadata. */
  prefill(metadata) {
    for (const { id, key, kind } of FIELDS) {
      if (this.#edited.has(id)) {
        continue;
      }
      const value = metadata[key];
      const element = document.getElementById(id);
      element.value = Array.isArray(value) ? value.join(JOINERS[kind]) : (value ?? '');
    }
    if (!this.#edited.has('cover')) {
      selectIfPresent(this.#cover, metadata.coverImage ?? '');
    }
    if (!this.#edited.has('css')) {
      selectIfPresent(this.#css, metadata.css?.[0] ?? '');
    }
  }

  /** Lists the image and stylesheet paths in the cover and stylesheet selects, keeping the choices that remain. */
  updateFileChoices(paths) {
    replaceOptions(this.#cover, 'None', paths.filter(isImagePath));
    replaceOptions(this.#css, 'Default only', paths.filter(isStylesheetPath));
  }

  /**
   * Returns the conversion options from the form, or throws a RangeError
   * naming the invalid field. Only edited metadata fields are sent: the
   * others hold the files' own values, which the engine reads anyway.
   */
  options() {
    const text = this.#tocDepth.value.trim();
    const depth = Number(text);
    if (text === '' || !Number.isInteger(depth) || depth < 1 || depth > 6) {
      const message = Number.isInteger(depth)
        ? `The table of contents depth must be between 1 and 6, not ${text || 'empty'}.`
        : `The table of contents depth must be a whole number between 1 and 6, not ${text}.`;
      this.#tocDepth.setCustomValidity(message);
      throw new RangeError(message);
    }

    const metadata = {};
    for (const { id, key, kind } of FIELDS) {
      if (!this.#edited.has(id)) {
        continue;
      }
      const text = document.getElementById(id).value;
      metadata[key] = kind === 'text' ? text.trim() : splitList(text, SEPARATORS[kind]);
    }
    if (this.#cover.value) {
      metadata.coverImage = this.#cover.value;
    }
    if (this.#css.value) {
      metadata.css = [this.#css.value];
    }

    return {
      metadata,
      tocDepth: depth,
      smart: this.#smart.checked,
      autoCover: this.#autoCover.checked,
      style: this.#style.value,
      target: this.#target.value,
      vertical: this.#vertical.checked,
    };
  }

  focusTocDepth() {
    this.#tocDepth.focus();
  }
}

function splitList(text, separator) {
  return text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function selectIfPresent(select, value) {
  if ([...select.options].some((option) => option.value === value)) {
    select.value = value;
  }
}

function replaceOptions(select, emptyLabel, paths) {
  const chosen = select.value;
  const empty = new Option(emptyLabel, '');
  select.replaceChildren(empty, ...paths.map((path) => new Option(path, path)));
  selectIfPresent(select, chosen);
}
