// The page's messages to the user, in one place. Each failure message
// states what happened and what to do next.

import { isMarkdownPath } from './files.js';

/** Explanations of a converter that could not start, by the reason key the page or worker reports. */
export const LOAD_FAILURES = {
  'file-url':
    'This page was opened from a file (a file:// address), and browsers do not run its converter from there. ' +
    'Serve the folder over HTTP instead: run make serve in the Quire source folder and open the address it prints.',
  'no-webassembly':
    'This browser cannot run WebAssembly, which the converter is written in. ' +
    'Use a current version of Firefox, Chrome, Edge or Safari.',
  'no-module-worker':
    'This browser cannot start module workers, which the converter runs in. ' +
    'Use Firefox 114 or newer, Chrome or Edge 80 or newer, or Safari 15 or newer.',
  'worker-script':
    "The converter's script (pkg/quire.js) could not be loaded. " +
    'If you serve your own copy of Quire, build the page first with scripts/build-www.sh; otherwise reload the page.',
  network:
    "The converter's WebAssembly module could not be downloaded. Check your network connection and reload the page.",
  'wasm-missing':
    "The converter's WebAssembly module (pkg/quire_bg.wasm) was not found on the server. " +
    'If you serve your own copy of Quire, build the page first with scripts/build-www.sh.',
  'wasm-mime':
    "The server sent the converter's WebAssembly module with the wrong MIME type, so the browser will not compile it. " +
    'The server must send .wasm files as application/wasm: add that type to its configuration, or serve the page with make serve.',
  'wasm-invalid':
    "The converter's WebAssembly module is damaged or incomplete. " +
    'Reload the page; if that does not help, rebuild it with scripts/build-www.sh.',
  start: 'The converter failed to start. Reload the page; if that does not help, try another browser.',
};

/** Returns the text for a load failure, with the technical detail when there is one. */
export function describeLoadFailure(reason, detail) {
  const text = LOAD_FAILURES[reason] ?? LOAD_FAILURES.start;
  return detail ? `${text} (Details: ${detail}.)` : text;
}

/** Returns the text shown when the engine rejects the book. */
export function describeEngineError(message) {
  return `The book could not be made: ${message}.`;
}

/** Returns the note added when none of the files is Markdown, naming up to five of them. */
export function describeNoMarkdown(paths) {
  const firstPaths = paths.slice(0, 5).join(', ');
  const more = paths.length > 5 ? ` and ${countNoun(paths.length - 5, 'more file')}` : '';
  return `None of the files you added (${firstPaths}${more}) is a Markdown file: chapters come from .md files.`;
}

/**
 * Returns the page's warning about a file the book cannot use, found by
 * findFileProblems in files.js, in the engine's form: `{ file, line, text }`
 * with the text as the command line prints a warning.
 */
export function describeFileProblem({ path, problem }) {
  let message;
  if (problem === 'binary') {
    message =
      'the file is binary and not an image (JPEG, PNG, GIF, WebP or SVG), font or stylesheet, so the book leaves it out; ' +
      'remove it from the list of files, or add the file you meant';
  } else if (isMarkdownPath(path)) {
    message = 'the file is empty, so it adds no text to the book; add text to it, or remove it from the list of files';
  } else {
    message = 'the file is empty, so the book cannot use it; remove it from the list of files, or add the file you meant';
  }
  return { file: path, line: null, text: `${path}: warning: ${message}` };
}

/**
 * Returns the warning shown when the editor's text is not a chapter because
 * the book's SUMMARY.md, which sets the chapters, does not list typed.md.
 */
export function describeTypedTextLeftOut(typedPath) {
  const message =
    'the typed text is left out of the book, because the chapters are the files SUMMARY.md lists; ' +
    `list ${typedPath} in SUMMARY.md, or add the text to one of its chapters`;
  return { file: typedPath, line: null, text: `${typedPath}: warning: ${message}` };
}

/**
 * Returns the text shown when a pick or drop added no file: `source` is
 * 'folder' or 'drop', and `skipped` the paths of the hidden files left out.
 */
export function describeNothingAdded(source, skipped) {
  if (skipped.length > 0) {
    const named = skipped.slice(0, 5).join(', ');
    const more = skipped.length > 5 ? ` and ${countNoun(skipped.length - 5, 'more')}` : '';
    return (
      `No files were added: Quire leaves out hidden files and folders, whose names start with a dot, ` +
      `and those were the only ones (${named}${more}). Choose the book's Markdown files or the folder that contains them.`
    );
  }
  if (source === 'drop') {
    return "No files were added: what you dropped contains no files. Drop the book's Markdown files or the folder that contains them.";
  }
  return "No files were added: the folder you chose is empty. Choose the folder that contains the book's Markdown files.";
}

/** Returns the text shown when the engine panicked and had to be restarted. */
export function describeCrash(message) {
  return (
    `${message}. This is a bug in Quire, not in your files: please report it, with the files that caused it if you can. ` +
    'The converter has been restarted, so you can change the files or settings and try again.'
  );
}

export function countNoun(count, singular, plural = `${singular}s`) {
  return `${count} ${count === 1 ? singular : plural}`;
}

export const STATUS = {
  loading: 'Starting the converter…',
  ready: 'Add Markdown files or a folder, or type Markdown, under 1. Files.',
  noChapters: 'No Markdown chapters yet. Add .md files, a folder that contains them, or type Markdown.',
  reading: (count) => `Reading ${countNoun(count, 'file')}…`,
  converting: 'Converting…',
  loadingFullEngine: 'Loading the converter…',
  restarting: 'Cancelled the running conversion; starting again…',
  found: (chapters) => `${countNoun(chapters, 'chapter')} found. Check the order and the book details, then make the EPUB.`,
  done: (chapters, warnings) => `Done: ${countNoun(chapters, 'chapter')}, ${countNoun(warnings, 'warning')}.`,
  changed: 'The book changed since it was made. Press Make EPUB to make it again.',
  failed: 'The book could not be made; see the message below.',
  unavailable: 'The converter is not available; see the message at the top of the page.',
};
