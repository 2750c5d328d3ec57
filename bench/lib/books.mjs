// The books the benchmark converts: the Rust book from tests/corpus,
// larger books made by repeating its chapters, and a book of photos.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

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

/**
 * Makes (or reuses) a book of `count` chapters in `folder`, each a short
 * text and one `side` x `side` PNG of noise. Deflate cannot shrink noise,
 * so the images stand in for photos, which are compressed already. The
 * generator starts from the same state each time, so every run converts
 * the same bytes.
 *
 * Returns `{ folder, chapters, markdownBytes, imageBytes }`.
 */
export function photoBook(folder, count, side) {
  const manifestPath = join(folder, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.count === count && manifest.side === side) {
      return { folder, ...manifest };
    }
  }

  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const next = noise(0x2545f491);
  const chapters = [];
  let markdownBytes = 0;
  let imageBytes = 0;
  for (let number = 1; number <= count; number += 1) {
    const stem = `photo-${String(number).padStart(3, '0')}`;
    const png = noisePng(side, next);
    writeFileSync(join(folder, `${stem}.png`), png);
    imageBytes += png.length;
    // The first chapter's metadata block gives the book's title and language.
    const metadata = number === 1 ? '---\ntitle: Photos\nlang: en\n---\n\n' : '';
    const text = `${metadata}# Photo ${number}\n\nWhat photo ${number} shows, in a sentence.\n\n![Photo ${number}](${stem}.png)\n`;
    writeFileSync(join(folder, `${stem}.md`), text);
    chapters.push(`${stem}.md`);
    markdownBytes += Buffer.byteLength(text);
  }

  const manifest = { count, side, chapters, markdownBytes, imageBytes };
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return { folder, ...manifest };
}

/** Returns a function giving the next byte of a xorshift32 sequence. */
function noise(seed) {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state & 0xff;
  };
}

/** Encodes a `side` x `side` RGB PNG whose pixels come from `next`. */
function noisePng(side, next) {
  const rowBytes = 1 + side * 3;
  const raw = Buffer.alloc(rowBytes * side);
  for (let row = 0; row < side; row += 1) {
    // Each row starts with filter type 0 (none).
    for (let at = row * rowBytes + 1; at < (row + 1) * rowBytes; at += 1) {
      raw[at] = next();
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: 1 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Returns a PNG chunk: length, type, data and the CRC-32 of type and data. */
function pngChunk(type, data) {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}
