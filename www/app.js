// The page: collects the book's files, shows the chapters `inspect` finds,
// runs `convert` on request, and shows the download, warnings, errors and a
// preview. The engine runs in a worker (engine.js); the other modules each
// handle one part of the page.
//
// <body data-state> shows tests and styles the page's state:
//   loading  the engine is starting
//   ready    the engine is idle and the files, if any, have been inspected
//   busy     a conversion is running
//   done     the last conversion made a book
//   failed   the engine could not start, or the current files cannot make a book

import { ChapterList } from './chapters.js';
import { Engine, EngineCancelled, EngineCrashed, EngineRejected, EngineUnavailable } from './engine.js';
import {
  FileSet,
  TYPED_PATH,
  filesFromInput,
  findFileProblems,
  isMarkdownPath,
  readDroppedEntries,
  takeDroppedEntries,
} from './files.js';
import { BookDetails } from './metadata.js';
import {
  STATUS,
  countNoun,
  describeCrash,
  describeEngineError,
  describeFileProblem,
  describeLoadFailure,
  describeNoMarkdown,
  describeNothingAdded,
  describeTypedTextLeftOut,
} from './messages.js';
import { startOfflineSupport } from './offline.js';
import { Preview } from './preview.js';

/** How long the editor must be still before its text is inspected, in milliseconds. */
const TYPING_PAUSE_MS = 400;

/**
 * How long an inspection may run before #status shows that the files are
 * being read, in milliseconds. Most take less, and would only make it flicker.
 */
const SLOW_INSPECTION_MS = 300;

const ORDER_SOURCES = {
  given: 'In the order you set. Move chapters with the buttons, or drag them.',
  summary: 'In the order of SUMMARY.md. Move chapters with the buttons, or drag them.',
  natural: 'In the order of the file names. Move chapters with the buttons, or drag them.',
};

const $ = (id) => document.getElementById(id);

const elements = {
  loadError: $('load-error'),
  dropZone: $('drop-zone'),
  detailsSection: $('details-section'),
  filesInput: $('files'),
  folderInput: $('folder'),
  editor: $('editor'),
  clear: $('clear'),
  fileDetails: $('file-details'),
  fileSummary: $('file-summary'),
  fileList: $('file-list'),
  orderSource: $('order-source'),
  resetOrder: $('reset-order'),
  convert: $('convert'),
  progress: $('progress'),
  status: $('status'),
  error: $('error'),
  download: $('download'),
  missingSection: $('missing-section'),
  missing: $('missing'),
  warningsSummary: $('warnings-summary'),
  warnings: $('warnings'),
  offlineNote: $('offline-note'),
  engineVersion: $('engine-version'),
};

const fileSet = new FileSet();
const details = new BookDetails();
const chapterList = new ChapterList($('chapters'), $('chapter-announcer'), (paths) => {
  userOrder = paths;
  elements.orderSource.textContent = ORDER_SOURCES.given;
  elements.resetOrder.hidden = false;
  bookChanged();
});
const preview = new Preview($('preview'), $('preview-chapter'), (path) => fileSet.get(path));

/** The chapter order the user set, or null to let the engine choose (SUMMARY.md or file names). */
let userOrder = null;
/** The chapters of the last inspection, in the engine's order. */
let inspectedChapters = [];
/** The source of the inspected order: 'given', 'summary' or 'natural'. */
let inspectedOrderSource = 'natural';
let engineAvailable = false;
/** Incremented for each inspection and conversion; a reply for an older one is ignored. */
let inspectGeneration = 0;
let convertGeneration = 0;
let converting = false;
/** Incremented whenever the files change. */
let filesVersion = 0;
/** The filesVersion of the last conversion that finished, successfully or not. */
let convertedVersion = -1;
let typingTimer = 0;
let downloadUrl = null;
/** The file name and size of the book the download link offers. */
let downloadLabel = '';
/**
 * The warnings list's contents, for its summary: how many, and whether
 * they are the last book's (`book`), were found in the files as they are
 * now, before converting (`files`), or both (`files-and-book`).
 */
let shownWarnings = { count: 0, of: 'files' };
/** The last book's warnings, listed again after what a later inspection finds. */
let bookWarnings = [];
/** Incremented whenever the files, the chapter order or the book details change. */
let bookChanges = 0;
/** The page's warnings about the current files (see findFileProblems), as a promise. */
let fileWarnings = Promise.resolve([]);

elements.loadError.textContent = '';
elements.loadError.classList.remove('fallback');

const stored = startOfflineSupport((text) => {
  elements.offlineNote.textContent = text;
});
const engine = startEngine(stored);
listenForFiles();
elements.convert.addEventListener('click', () => convertBook());
elements.resetOrder.addEventListener('click', () => {
  userOrder = null;
  elements.resetOrder.hidden = true;
  bookChanged();
  inspectFiles();
});
for (const event of ['input', 'change']) {
  elements.detailsSection.addEventListener(event, bookChanged);
}

/**
 * Starts the engine's worker, which warms its engine up once `stored`
 * resolves (see worker.js), or returns null when this browser cannot run it.
 */
function startEngine(stored) {
  if (location.protocol === 'file:') {
    showUnavailable(new EngineUnavailable('file-url'));
    return null;
  }
  if (typeof WebAssembly !== 'object') {
    showUnavailable(new EngineUnavailable('no-webassembly'));
    return null;
  }
  return new Engine({
    onReady(version) {
      elements.engineVersion.textContent = `Quire engine ${version}`;
      if (!engineAvailable) {
        engineAvailable = true;
        setState('ready');
        elements.status.textContent = STATUS.ready;
        inspectFiles();
      }
    },
    onUnavailable: showUnavailable,
    // For the tests; the reader sees no difference but speed.
    onWarmedUp() {
      document.body.dataset.engine = 'warm';
    },
    warmUpAfter: stored,
  });
}

function showUnavailable(error) {
  engineAvailable = false;
  elements.loadError.textContent = describeLoadFailure(error.reason, error.detail);
  elements.status.textContent = STATUS.unavailable;
  elements.progress.hidden = true;
  converting = false;
  setState('failed');
}

function setState(state) {
  document.body.dataset.state = state;
}

// Adding files

function listenForFiles() {
  for (const input of [elements.filesInput, elements.folderInput]) {
    input.addEventListener('change', () => {
      addFiles(filesFromInput(input), input === elements.folderInput ? 'folder' : 'files');
      // Choosing the same files again must fire `change` again.
      input.value = '';
    });
  }

  elements.fileList.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-remove]');
    if (button) {
      removeFile(button.dataset.remove);
    }
  });

  elements.editor.addEventListener('input', () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(takeTypedText, TYPING_PAUSE_MS);
  });

  elements.clear.addEventListener('click', () => {
    clearTimeout(typingTimer);
    typingTimer = 0;
    fileSet.clear();
    elements.editor.value = '';
    userOrder = null;
    elements.resetOrder.hidden = true;
    filesChanged();
  });

  // Files dropped anywhere on the page are added, so a drop that misses the
  // drop zone does not open the file in place of the page and lose the work.
  const carriesFiles = (event) => event.dataTransfer?.types.includes('Files');
  let dragDepth = 0;
  document.addEventListener('dragenter', (event) => {
    if (carriesFiles(event)) {
      dragDepth += 1;
      elements.dropZone.classList.add('drag-over');
    }
  });
  document.addEventListener('dragleave', (event) => {
    if (carriesFiles(event) && --dragDepth <= 0) {
      dragDepth = 0;
      elements.dropZone.classList.remove('drag-over');
    }
  });
  document.addEventListener('dragover', (event) => {
    if (carriesFiles(event)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  });
  document.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) {
      return;
    }
    event.preventDefault();
    dragDepth = 0;
    elements.dropZone.classList.remove('drag-over');
    const dropped = takeDroppedEntries(event.dataTransfer);
    readDroppedEntries(dropped)
      .then((files) => addFiles(files, 'drop'))
      .catch((error) => {
        showError(
          `The dropped files could not be read (${error.name}: ${error.message}). Try choosing them with the file or folder button instead.`,
        );
      });
  });
}

/** Adds the editor's text to the files now, instead of after the typing pause. */
function takeTypedText() {
  clearTimeout(typingTimer);
  typingTimer = 0;
  fileSet.setTyped(elements.editor.value);
  filesChanged();
}

/**
 * Adds picked or dropped files; `source` is 'files', 'folder' or 'drop'.
 * A folder or drop that adds nothing gets a message, because the page would
 * otherwise look as if it had ignored the user.
 */
function addFiles(files, source) {
  const added = fileSet.add(files);
  if (added > 0) {
    filesChanged();
    return;
  }
  // The file picker returns at least one file unless the user cancels.
  if (source !== 'files' || files.length > 0) {
    const skipped = files.map((entry) => entry.path);
    showNotice(describeNothingAdded(source, skipped));
  }
}

function removeFile(path) {
  const index = fileSet.entries().findIndex((entry) => entry.path === path);
  fileSet.remove(path);
  if (path === TYPED_PATH) {
    clearTimeout(typingTimer);
    typingTimer = 0;
    elements.editor.value = '';
  }
  filesChanged();

  // The pressed button is gone, so the focus moves to the next file's button, or to the previous one's.
  const buttons = elements.fileList.querySelectorAll('button[data-remove]');
  (buttons[Math.min(index, buttons.length - 1)] ?? elements.clear).focus();
}

function filesChanged() {
  filesVersion += 1;
  bookChanged();
  showFileList();
  const entries = fileSet.entries();
  details.updateFileChoices(entries.map((entry) => entry.path));
  fileWarnings = findFileProblems(entries).then((problems) => problems.map(describeFileProblem));
  inspectFiles();
}

function showFileList() {
  const entries = fileSet.entries();
  elements.fileSummary.textContent =
    entries.length === 0 ? 'No files yet' : `${countNoun(entries.length, 'file')} in the book: show their paths`;
  elements.fileList.replaceChildren(
    ...entries.map(({ path, file }) => {
      const item = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = path;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove-file';
      remove.dataset.remove = path;
      remove.textContent = 'Remove';
      remove.setAttribute('aria-label', `Remove ${path}`);
      item.append(code, ` (${formatSize(file.size)}) `, remove);
      return item;
    }),
  );
  elements.fileDetails.open = entries.length > 0 && entries.length <= 12;
}

/** Marks the last book as outdated, if there is one: something that goes into the book changed. */
function bookChanged() {
  bookChanges += 1;
  markDownloadOutdated();
}

/**
 * Keeps the last book downloadable, with the link, its warnings and the
 * status labelled as made before the latest changes.
 */
function markDownloadOutdated() {
  if (!elements.download.hidden) {
    elements.download.textContent = outdatedDownloadText();
    elements.warningsSummary.textContent = warningsSummary(true);
  }
  // Set once, so that a screen reader announces it once, not at each key.
  if (document.body.dataset.state === 'done' && elements.status.textContent !== STATUS.changed) {
    elements.status.textContent = STATUS.changed;
  }
}

function outdatedDownloadText() {
  return `Download ${downloadLabel}, made before your latest changes`;
}

// Inspecting

async function inspectFiles() {
  const generation = ++inspectGeneration;
  if (!engineAvailable) {
    return;
  }
  if (fileSet.size === 0) {
    inspectedChapters = [];
    chapterList.show([]);
    elements.orderSource.textContent = 'The chapters appear here once you add Markdown.';
    if (mayReportInspection()) {
      showWarnings([], 'files');
      clearError();
      elements.status.textContent = STATUS.ready;
      setState('ready');
    }
    return;
  }

  const files = fileSet.toRequest();
  const warningsOfFiles = fileWarnings;
  const slowTimer = setTimeout(() => {
    if (generation === inspectGeneration && mayReportInspection()) {
      elements.status.textContent = STATUS.reading(files.length);
    }
  }, SLOW_INSPECTION_MS);
  try {
    const inspection = await engine.request('inspect', files, {});
    const pageWarnings = await warningsOfFiles;
    if (generation !== inspectGeneration) {
      return;
    }
    inspectedChapters = inspection.chapters;
    inspectedOrderSource = inspection.orderSource;
    showChapters(inspection.orderSource);
    details.prefill(inspection.metadata);
    if (mayReportInspection()) {
      showFileWarnings([...pageWarnings, ...typedTextWarnings(), ...inspection.warnings]);
      clearError();
      elements.status.textContent =
        inspection.chapters.length > 0 ? STATUS.found(inspection.chapters.length) : STATUS.noChapters;
      setState('ready');
    }
  } catch (error) {
    if (generation !== inspectGeneration) {
      return;
    }
    if (error instanceof EngineCancelled) {
      // A restarted conversion replaced the worker; ask the new one.
      inspectFiles();
      return;
    }
    if (error instanceof EngineUnavailable) {
      return;
    }
    inspectedChapters = [];
    chapterList.show([]);
    elements.orderSource.textContent = 'No chapters: the files cannot make a book yet.';
    if (mayReportInspection()) {
      showFailure(error);
      elements.status.textContent = STATUS.failed;
      setState('failed');
    }
  } finally {
    clearTimeout(slowTimer);
  }
}

/**
 * Returns whether an inspection may replace the status, warnings and error.
 * It may not while a conversion runs, nor after one has reported on the
 * same files, because the conversion's report is the fuller one.
 */
function mayReportInspection() {
  return !converting && convertedVersion !== filesVersion;
}

/** Shows the inspected chapters, in the user's order where they set one; new chapters go last. */
function showChapters(orderSource) {
  const byPath = new Map(inspectedChapters.map((chapter) => [chapter.path, chapter]));
  let chapters = inspectedChapters;
  if (userOrder) {
    const stillPresent = userOrder.filter((path) => byPath.has(path));
    const added = inspectedChapters.filter((chapter) => !userOrder.includes(chapter.path));
    chapters = [...stillPresent.map((path) => byPath.get(path)), ...added];
    userOrder = chapters.map((chapter) => chapter.path);
  }
  chapterList.show(chapters);
  elements.orderSource.textContent = userOrder ? ORDER_SOURCES.given : (ORDER_SOURCES[orderSource] ?? '');
}

// Converting

async function convertBook() {
  if (!engineAvailable) {
    return;
  }
  if (typingTimer) {
    takeTypedText();
  }

  let options;
  try {
    options = details.options();
  } catch (error) {
    if (!(error instanceof RangeError)) {
      throw error;
    }
    showError(`${error.message} Correct it and press Make EPUB again.`);
    if (!converting) {
      elements.status.textContent = STATUS.failed;
      setState('failed');
    }
    details.focusTocDepth();
    return;
  }
  if (userOrder) {
    options.chapters = userOrder;
  }
  const restarting = converting;
  if (restarting) {
    engine.restart();
  }

  const generation = ++convertGeneration;
  const version = filesVersion;
  const changesAtStart = bookChanges;
  const files = fileSet.toRequest();
  const warningsOfFiles = fileWarnings;
  converting = true;
  setState('busy');
  clearError();
  elements.progress.hidden = false;
  elements.convert.textContent = 'Cancel and start again';
  elements.status.textContent = restarting ? STATUS.restarting : STATUS.reading(files.length);

  try {
    const result = await engine.request('convert', files, options, (phase) => {
      if (generation === convertGeneration && phase === 'converting') {
        elements.status.textContent = STATUS.converting;
      } else if (generation === convertGeneration && phase === 'loading-full-engine') {
        elements.status.textContent = STATUS.loadingFullEngine;
      }
    });
    const pageWarnings = await warningsOfFiles;
    if (generation !== convertGeneration) {
      return;
    }
    finishConversion(version);
    showBook(result, pageWarnings, bookChanges !== changesAtStart);
  } catch (error) {
    if (generation !== convertGeneration || error instanceof EngineCancelled) {
      return;
    }
    finishConversion(version);
    if (error instanceof EngineUnavailable) {
      return;
    }
    showFailure(error);
    elements.status.textContent = STATUS.failed;
    setState('failed');
  }
}

function finishConversion(version) {
  converting = false;
  convertedVersion = version;
  elements.progress.hidden = true;
  elements.convert.textContent = 'Make EPUB';
}

/**
 * Offers the book for download and shows its warnings, after `pageWarnings`,
 * and its preview. With `outdated`, the link is labelled as made before
 * the latest changes to the files, order or details.
 */
function showBook(result, pageWarnings, outdated) {
  if (downloadUrl) {
    URL.revokeObjectURL(downloadUrl);
  }
  downloadUrl = URL.createObjectURL(new Blob([result.epub], { type: 'application/epub+zip' }));
  elements.download.href = downloadUrl;
  elements.download.download = result.fileName;
  downloadLabel = `${result.fileName} (${formatSize(result.epub.byteLength)})`;
  elements.download.textContent = outdated ? outdatedDownloadText() : `Download ${downloadLabel}`;
  elements.download.hidden = false;
  elements.download.click();

  elements.missing.replaceChildren(
    ...result.missingFiles.map((path) => {
      const item = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = path;
      item.append(code);
      return item;
    }),
  );
  elements.missingSection.hidden = result.missingFiles.length === 0;

  const warnings = [...pageWarnings, ...typedTextWarnings(), ...result.warnings];
  bookWarnings = warnings;
  showWarnings(warnings, 'book', outdated);
  preview.show(result);
  elements.status.textContent = STATUS.done(result.chapters.length, warnings.length);
  setState('done');
}

// Warnings and errors

/** Returns a warning when the editor has text that a SUMMARY.md order leaves out of the book. */
function typedTextWarnings() {
  const typedIsChapter = inspectedChapters.some((chapter) => chapter.path === TYPED_PATH);
  if (!fileSet.get(TYPED_PATH) || typedIsChapter || inspectedOrderSource !== 'summary') {
    return [];
  }
  return [describeTypedTextLeftOut(TYPED_PATH)];
}

/**
 * Lists warnings `of` the last book (`book`), of the files as they are now
 * (`files`), or of both (`files-and-book`). With `outdated`, the summary
 * states that the book was made before the latest changes.
 */
function showWarnings(warnings, of, outdated = false) {
  shownWarnings = { count: warnings.length, of };
  elements.warningsSummary.textContent = warningsSummary(outdated);
  elements.warnings.replaceChildren(
    ...warnings.map((warning) => {
      const item = document.createElement('li');
      item.dataset.file = warning.file;
      if (warning.line != null) {
        item.dataset.line = String(warning.line);
      }
      const text = document.createElement('code');
      text.textContent = warning.text;
      item.append(text);
      return item;
    }),
  );
}

/**
 * Lists what an inspection of the files found. Once a book has been made,
 * its warnings follow, since most still apply until the next conversion
 * checks the whole book (an image still missing, say).
 */
function showFileWarnings(found) {
  if (elements.download.hidden) {
    showWarnings(found, 'files');
    return;
  }
  const foundTexts = new Set(found.map((warning) => warning.text));
  showWarnings([...found, ...bookWarnings.filter((warning) => !foundTexts.has(warning.text))], 'files-and-book');
}

function warningsSummary(outdated) {
  const { count, of } = shownWarnings;
  if (of === 'files-and-book' && count > 0) {
    return `${countNoun(count, 'warning')}, about the files as they are now and from the book made before your latest changes. Press Make EPUB to check the changed book.`;
  }
  if (of !== 'book') {
    return count === 0
      ? 'None so far. Make EPUB checks the whole book.'
      : `${countNoun(count, 'warning')} about the files so far. Make EPUB checks the whole book.`;
  }
  if (outdated) {
    return count === 0
      ? 'None in the book made before your latest changes. Press Make EPUB to check the changed book.'
      : `${countNoun(count, 'warning')} in the book made before your latest changes: press Make EPUB to check the changed book.`;
  }
  return count === 0 ? 'None.' : `${countNoun(count, 'warning')}: Quire worked around these problems.`;
}

function showFailure(error) {
  if (error instanceof EngineCrashed) {
    showError(describeCrash(error.message));
  } else if (error instanceof EngineRejected) {
    const paths = fileSet.entries().map((entry) => entry.path);
    const noMarkdown = paths.length > 0 && !paths.some(isMarkdownPath);
    // The engine's message cannot name the files the user added instead.
    showError(describeEngineError(error.message) + (noMarkdown ? ` ${describeNoMarkdown(paths)}` : ''));
  } else {
    showError(`Something went wrong on the page (${error.name}: ${error.message}). Reload the page and try again.`);
  }
}

function showError(text) {
  elements.error.replaceChildren(paragraph(text));
}

/**
 * Adds a message about the user's last action below the error, if there
 * is one, because that error still applies to the files on the page.
 */
function showNotice(text) {
  elements.error.querySelector('.notice')?.remove();
  const notice = paragraph(text);
  notice.className = 'notice';
  elements.error.append(notice);
}

function paragraph(text) {
  const element = document.createElement('p');
  element.textContent = text;
  return element;
}

function clearError() {
  elements.error.replaceChildren();
}

function formatSize(bytes) {
  if (bytes < 1024) {
    return countNoun(bytes, 'byte');
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
