// The book's input files as the user added them: from the file and folder
// pickers, from a drop (folders walked with webkitGetAsEntry), and the text
// typed into the editor. Each file has a path relative to the book's root,
// with '/' separators, which is what the engine resolves links and images
// against.

export const TYPED_PATH = 'typed.md';

/**
 * The order of paths: by the user's locale, with numbers by value
 * (chapter 2 before chapter 10). One collator serves every comparison;
 * `localeCompare` with options makes a new one each time, which took
 * about 60 ms to sort the 2,000 files of a book folder.
 */
const PATH_ORDER = new Intl.Collator(undefined, { numeric: true });

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'webp', 'svg']);

/** The extensions the engine reads chapters from when no order is given (is_markdown_path in src/book.rs). */
const MARKDOWN_EXTENSIONS = new Set(['md', 'markdown', 'mdown', 'mkd', 'mkdn']);

/** Returns the extension of a path, lower-cased, without the dot. */
export function extensionOf(path) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function isMarkdownPath(path) {
  return MARKDOWN_EXTENSIONS.has(extensionOf(path));
}

export function isImagePath(path) {
  return IMAGE_EXTENSIONS.has(extensionOf(path));
}

export function isStylesheetPath(path) {
  return extensionOf(path) === 'css';
}

/** The font formats a stylesheet may embed (font_media_type in src/styles.rs). */
const FONT_EXTENSIONS = new Set(['woff', 'woff2', 'otf', 'ttf']);

/** How many bytes of a file the binary check reads, as reject_binary in src/convert.rs does for chapters. */
const BINARY_CHECK_BYTES = 8192;

/** Hidden files and folders (.git, .DS_Store) are left out, as the engine does for chapters. */
function isHidden(path) {
  return path.split('/').some((segment) => segment.startsWith('.'));
}

/** The set of input files, one per path; a file added again replaces the older one. */
export class FileSet {
  /** Entries by path: { key, path, file }. */
  #entries = new Map();
  /** The editor's text as a file, or null when the editor is empty. */
  #typed = null;
  #nextKey = 1;
  /**
   * The last list toRequest returned, until the set changes. Sorting and
   * sending a folder of 2,000 files took about 20 ms in Chromium, and the
   * engine skips both when it gets the same list again.
   */
  #request = null;

  /** Adds files given as { path, file }, skipping hidden ones; returns how many were added. */
  add(files) {
    this.#request = null;
    let added = 0;
    for (const { path, file } of files) {
      if (!path || isHidden(path)) {
        continue;
      }
      this.#entries.set(path, { key: this.#nextKey++, path, file });
      added += 1;
    }
    return added;
  }

  /** Sets the editor's text; an empty or blank text removes the typed file. */
  setTyped(text) {
    this.#request = null;
    if (text.trim() === '') {
      this.#typed = null;
      return;
    }
    const file = new File([text], TYPED_PATH, { type: 'text/markdown', lastModified: Date.now() });
    this.#typed = { key: this.#nextKey++, path: TYPED_PATH, file };
  }

  /** Removes the file at a path. The typed file's path removes the typed text. */
  remove(path) {
    this.#request = null;
    if (this.#typed && path === TYPED_PATH) {
      this.#typed = null;
      return;
    }
    this.#entries.delete(path);
  }

  clear() {
    this.#request = null;
    this.#entries.clear();
    this.#typed = null;
  }

  get size() {
    return this.#entries.size + (this.#typed ? 1 : 0);
  }

  /** Returns the entries sorted by path, with the typed file last. The typed file replaces a file of the same path. */
  entries() {
    const entries = [...this.#entries.values()]
      .filter((entry) => !(this.#typed && entry.path === TYPED_PATH))
      .sort((a, b) => PATH_ORDER.compare(a.path, b.path));
    if (this.#typed) {
      entries.push(this.#typed);
    }
    return entries;
  }

  /** Returns the File at a path, or undefined. */
  get(path) {
    if (this.#typed && path === TYPED_PATH) {
      return this.#typed.file;
    }
    return this.#entries.get(path)?.file;
  }

  /**
   * Returns the files in the form the engine worker takes: the same array
   * until the set changes, which the caller must not modify.
   */
  toRequest() {
    this.#request ??= this.entries().map(({ key, path, file }) => ({ key, path, file, modified: file.lastModified }));
    return this.#request;
  }
}

/** Each checked File's problem ('empty', 'binary' or null), so a file is read once however often the set changes. */
const problemsByFile = new WeakMap();

/**
 * Finds the files the book cannot use that the engine does not report
 * itself: empty files, and binary files that are not an image, font or
 * stylesheet (an unused file is no error to the engine). Returns
 * `[{ path, problem }]` with `problem` 'empty' or 'binary'. Reads at most
 * BINARY_CHECK_BYTES of each file, asynchronously.
 */
export async function findFileProblems(entries) {
  const problems = [];
  for (const { path, file } of entries) {
    if (!problemsByFile.has(file)) {
      problemsByFile.set(file, await findProblem(path, file));
    }
    const problem = problemsByFile.get(file);
    if (problem) {
      problems.push({ path, problem });
    }
  }
  return problems;
}

async function findProblem(path, file) {
  if (file.size === 0) {
    return 'empty';
  }
  // The engine reports a Markdown file it cannot read, and an image it
  // cannot use (a BMP, say) where a chapter shows it. Other text files may
  // be pulled in by {{#include}}.
  const image = isImagePath(path) || file.type.startsWith('image/');
  if (isMarkdownPath(path) || image || isStylesheetPath(path) || FONT_EXTENSIONS.has(extensionOf(path))) {
    return null;
  }

  let head;
  try {
    head = new Uint8Array(await file.slice(0, BINARY_CHECK_BYTES).arrayBuffer());
  } catch {
    // The worker reports a file that cannot be read, with what to do.
    return null;
  }
  return looksBinary(head) ? 'binary' : null;
}

/**
 * Applies the engine's test for a binary chapter (reject_binary in
 * src/convert.rs). UTF-16 with a byte order mark is text. Otherwise more
 * than 8 NUL bytes, or any NUL in bytes that are not UTF-8, mean binary.
 */
function looksBinary(head) {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    return false;
  }
  const nulCount = head.reduce((count, byte) => count + (byte === 0 ? 1 : 0), 0);
  if (nulCount === 0) {
    return false;
  }
  if (nulCount > 8) {
    return true;
  }
  try {
    // `stream` accepts a character cut off at the end of the head.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return false;
  } catch {
    return true;
  }
}

/** Returns the files of a file input, with paths relative to the chosen folder for a folder input. */
export function filesFromInput(input) {
  return [...input.files].map((file) => {
    const relative = file.webkitRelativePath;
    // webkitRelativePath starts with the chosen folder's own name.
    const path = relative ? relative.slice(relative.indexOf('/') + 1) : file.name;
    return { path, file };
  });
}

/**
 * Takes the entries of a drop. This must run inside the drop event's
 * handler, because the browser empties the DataTransfer when it returns.
 */
export function takeDroppedEntries(dataTransfer) {
  const entries = [];
  const files = [];
  for (const item of dataTransfer.items ?? []) {
    if (item.kind !== 'file') {
      continue;
    }
    const entry = item.webkitGetAsEntry?.();
    if (entry) {
      entries.push(entry);
    } else {
      const file = item.getAsFile();
      if (file) {
        files.push(file);
      }
    }
  }
  if (entries.length === 0 && files.length === 0) {
    files.push(...(dataTransfer.files ?? []));
  }
  return { entries, files };
}

/**
 * Reads every file under the dropped entries. A single dropped folder is the
 * book's root, so its own name is left out of the paths. When several items
 * are dropped, each keeps its name.
 */
export async function readDroppedEntries({ entries, files }) {
  const dropIsOneFolder = entries.length === 1 && entries[0].isDirectory && files.length === 0;
  const found = files.map((file) => ({ path: file.name, file }));

  for (const entry of entries) {
    await walkEntry(entry, found);
  }

  return found.map(({ path, file }) => {
    const relative = path.replace(/^\/+/, '');
    return {
      path: dropIsOneFolder ? relative.slice(relative.indexOf('/') + 1) : relative,
      file,
    };
  });
}

async function walkEntry(entry, found) {
  if (entry.name.startsWith('.')) {
    return;
  }
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    found.push({ path: entry.fullPath, file });
    return;
  }
  if (entry.isDirectory) {
    for (const child of await readAllEntries(entry.createReader())) {
      await walkEntry(child, found);
    }
  }
}

/** Reads all of a directory's entries, which readEntries returns in batches until it returns an empty one. */
async function readAllEntries(reader) {
  const all = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) {
      return all;
    }
    all.push(...batch);
  }
}
