// The books the benchmark converts: the Rust book from tests/corpus, and
// larger books made by repeating its chapters.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { REPO_ROOT } from './paths.mjs';

/** The mdBook folder of the Rust book. */
export const RUST_BOOK = join(REPO_ROOT, 'tests', 'corpus', 'rust-book');

const RUST_BOOK_SRC = join(RUST_BOOK, 'src');

/**
 * Returns the Rust book's chapter files, relative to its `src/` folder, in
 * the order its SUMMARY.md lists them. Draft chapters, which have no file,
 * are left out, as mdBook leaves them out.
 */
export function rustBookChapters() {
  const summary = readFileSync(join(RUST_BOOK_SRC, 'SUMMARY.md'), 'utf8');
  return [...summary.matchAll(/\]\(([^)\s]+\.md)\)/g)].map((match) => match[1]);
}

/** Returns the total size in bytes of the given files. */
export function totalBytes(paths) {
  return paths.reduce((sum, path) => sum + statSync(path).size, 0);
}

/** Returns every file under `folder`, recursively. */
export function filesUnder(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A line that is only an mdBook include, which the copies leave out. */
const INCLUDE_LINE = /^\{\{#(?:rustdoc_)?include [^}]*\}\}\n/gm;

/**
 * Writes a book of at least `targetBytes` of Markdown by repeating the Rust
 * book's chapters in SUMMARY.md order. Copy N goes into `part-NNNN/` with the
 * chapters' own file names, so links between chapters still resolve inside
 * each copy. The images sit once in `img/` at the top, and the copies point
 * at them with `../img/`. The folder has no SUMMARY.md, so Quire takes the
 * chapters in natural order. The `{{#include}}` lines are left out: the
 * listings they name are not copied, and pandoc would keep them as text, so
 * both tools get the same Markdown.
 *
 * The book is written to `folder` once and reused while its manifest names
 * the same target size. Returns `{ folder, chapters, markdownBytes,
 * imageBytes }`, where `chapters` are relative to `folder` in reading order.
 */
export function repeatedBook(folder, targetBytes) {
  const manifestPath = join(folder, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.targetBytes === targetBytes) {
      return { folder, ...manifest };
    }
  }

  rmSync(folder, { recursive: true, force: true });
  mkdirSync(join(folder, 'img'), { recursive: true });
  const images = filesUnder(join(RUST_BOOK_SRC, 'img'));
  for (const image of images) {
    const target = join(folder, relative(RUST_BOOK_SRC, image));
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(image, target);
  }

  const sources = rustBookChapters().map((name) => ({
    name,
    text: readFileSync(join(RUST_BOOK_SRC, name), 'utf8')
      .replace(INCLUDE_LINE, '')
      .replaceAll('](img/', '](../img/')
      .replaceAll('src="img/', 'src="../img/'),
  }));
  const chapters = [];
  let markdownBytes = 0;
  for (let copy = 1; markdownBytes < targetBytes; copy += 1) {
    const part = `part-${String(copy).padStart(4, '0')}`;
    mkdirSync(join(folder, part));
    for (const { name, text } of sources) {
      if (markdownBytes >= targetBytes) {
        break;
      }
      writeFileSync(join(folder, part, name), text);
      chapters.push(`${part}/${name}`);
      markdownBytes += Buffer.byteLength(text);
    }
  }

  const manifest = { targetBytes, chapters, markdownBytes, imageBytes: totalBytes(images) };
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return { folder, ...manifest };
}
