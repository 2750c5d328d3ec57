// The page's full WebAssembly module in Node, without the page: later
// conversions of the Rust book three ways, to show what the entries the
// engine keeps between conversions save. A conversion takes an entry's
// deflated bytes and a document's check from the one before only when the
// entry's bytes are the same.

import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

import { warmUpBook } from '../../www/warmup.js';
import { RUST_BOOK, filesUnder } from './books.mjs';
import { median } from './measure.mjs';
import { REPO_ROOT } from './paths.mjs';

/** Conversions before the measured ones, so V8 has optimised the module. */
const WARM_UP_RUNS = 5;

/** The chapter whose text changes before each conversion of the edited book. */
const EDITED_CHAPTER = 'src/ch04-01-what-is-ownership.md';

/**
 * Converts the Rust book `runs` times in each of three ways, after
 * warming the module up, and returns the times in milliseconds:
 *
 * - `unchanged`: the same files each time;
 * - `oneChapterEdited`: a sentence added to one chapter before each run,
 *   as an author would between conversions;
 * - `nothingKept`: the built-in warm-up book converted between runs, so
 *   each conversion of the Rust book finds none of its entries kept.
 */
export async function measureEngine({ runs }) {
  const dist = pathToFileURL(join(REPO_ROOT, 'dist', 'pkg-full', '/'));
  const engine = await import(new URL('quire.js', dist));
  engine.initSync({ module: readFileSync(new URL('quire_bg.wasm', dist)) });

  const files = filesUnder(RUST_BOOK).map((path) => ({
    path: relative(RUST_BOOK, path),
    bytes: new Uint8Array(readFileSync(path)),
    modified: statSync(path).mtimeMs,
  }));
  const edited = files.find((file) => file.path === EDITED_CHAPTER);
  if (!edited) {
    throw new Error(`${EDITED_CHAPTER} not found in ${RUST_BOOK}; choose another chapter to edit`);
  }
  const original = edited.bytes;
  const timed = (book) => {
    const start = performance.now();
    engine.convert(book, {});
    return performance.now() - start;
  };

  for (let run = 0; run < WARM_UP_RUNS; run += 1) {
    timed(files);
  }
  const unchanged = [];
  const oneChapterEdited = [];
  const nothingKept = [];
  for (let run = 0; run < runs; run += 1) {
    unchanged.push(timed(files));

    edited.bytes = new Uint8Array([...original, ...new TextEncoder().encode(`\nEdit number ${run}.\n`)]);
    oneChapterEdited.push(timed(files));
    edited.bytes = original;
    timed(files);

    engine.convert(warmUpBook(), {});
    nothingKept.push(timed(files));
  }
  return {
    unchanged: summarise(unchanged),
    oneChapterEdited: summarise(oneChapterEdited),
    nothingKept: summarise(nothingKept),
  };
}

function summarise(times) {
  return { times, median: median(times) };
}
