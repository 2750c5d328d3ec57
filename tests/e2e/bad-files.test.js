// Files the book cannot use, added to a page that already contains a good
// book and book details the user typed. For each, the page names the file and
// says what to do, stays usable, and keeps the other files and the details:
// once the bad file is removed, the good book converts with those details.

import assert from 'node:assert/strict';
import { copyFile, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { siteTest } from './lib/fixture.js';
import {
  chapterPaths,
  chooseFiles,
  chooseFolder,
  convertAndDownload,
  convertAndExpectFailure,
  filePaths,
  openApp,
  removeFile,
  textOf,
  waitForChapters,
  waitForReadyAgain,
  waitForState,
} from './lib/page.js';
import { testInput } from './lib/paths.js';

/** What the user types into the book details before adding files, by field. */
const TYPED_DETAILS = {
  '#title': 'Field Notes',
  '#authors': 'Ada Lovelace\nCharles Babbage',
  '#publisher': 'Quire Test Press',
};

/** The download's name, which the engine takes from the typed title. */
const BOOK_FILE_NAME = 'Field Notes.epub';

const GOOD_BOOK = testInput('books/notes/notes.md');

/** The limit src/wasm.rs sets on the Markdown the page converts at once. */
const PAGE_LIMIT_MB = 32;

/** Text that only a bug would put in a message to the user. */
const NOT_PLAIN_WORDS = /undefined|\[object |RuntimeError|wasm-function|internal error/;

/** Opens the page, types the book details and adds the good book. */
async function startWithGoodBook(page, server) {
  await openApp(page, server);
  for (const [selector, value] of Object.entries(TYPED_DETAILS)) {
    await page.locator(selector).fill(value);
  }
  await chooseFiles(page, [GOOD_BOOK]);
  await waitForChapters(page, 1);
  await waitForState(page, 'ready');
}

/** Checks that the details the user typed and the good book are still on the page. */
async function assertNothingLost(page) {
  for (const [selector, value] of Object.entries(TYPED_DETAILS)) {
    assert.equal(await page.locator(selector).inputValue(), value, `${selector} keeps what the user typed`);
  }
  assert.ok((await filePaths(page)).includes('notes.md'), 'notes.md is still in the list of files');
}

/** Checks that the page is not left busy: it waits for the user, or shows the outcome. */
async function assertSettled(page) {
  const state = await page.locator('body').getAttribute('data-state');
  assert.ok(['ready', 'done', 'failed'].includes(state), `data-state is "${state}"`);
}

/** Converts the good book and checks that it has the typed title and that no error is left. */
async function convertGoodBook(page, artifacts) {
  const book = await convertAndDownload(page, artifacts);
  assert.equal(book.fileName, BOOK_FILE_NAME, 'the book has the title the user typed');
  assert.equal(await textOf(page, '#error'), '', '#error is empty after a good conversion');
  return book;
}

/** Returns the texts of the warnings shown for `path`. */
async function warningsAbout(page, path) {
  return page.locator(`#warnings > li[data-file="${path}"]`).allInnerTexts();
}

/** Creates the test's input folder and returns its path. */
async function inputFolder(artifacts) {
  const folder = join(artifacts, 'input');
  await mkdir(folder, { recursive: true });
  return folder;
}

siteTest('binary data.bin gets a warning', async ({ server, page, artifacts, t }) => {
  // Every byte value 16 times, in an order that is no text encoding.
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  const file = join(await inputFolder(artifacts), 'data.bin');
  await writeFile(file, bytes);

  await startWithGoodBook(page, server);
  await chooseFiles(page, [file]);
  const warning = page.locator('#warnings > li[data-file="data.bin"]');
  await warning.waitFor();
  const text = (await warning.innerText()).trim();
  t.diagnostic(`warning: ${text}`);
  assert.match(text, /^data\.bin: warning: the file is binary/, 'the warning names the file and the problem');
  assert.match(text, /remove it/, 'the warning says what to do');
  await assertSettled(page);
  await assertNothingLost(page);

  // The book is made without the file, and the warning stays.
  await convertGoodBook(page, artifacts);
  assert.equal((await warningsAbout(page, 'data.bin')).length, 1, 'warnings about data.bin after converting');

  await removeFile(page, 'data.bin');
  assert.deepEqual(await filePaths(page), ['notes.md'], 'files after removing data.bin');
  await convertGoodBook(page, artifacts);
  assert.deepEqual(await warningsAbout(page, 'data.bin'), [], 'warnings about data.bin once it is removed');
});

siteTest('PNG named chapter.md is rejected', async ({ server, page, artifacts, t }) => {
  const file = join(await inputFolder(artifacts), 'chapter.md');
  await copyFile(testInput('books/sample/images/cover.png'), file);

  await startWithGoodBook(page, server);
  await chooseFiles(page, [file]);
  await waitForState(page, 'failed');
  const message = await textOf(page, '#error');
  t.diagnostic(`#error: ${message}`);
  assert.match(message, /chapter\.md/, 'the message names the file');
  assert.match(message, /PNG image/, 'the message says what the file is');
  assert.match(message, /give Markdown files/, 'the message says what to do');
  assert.doesNotMatch(message, NOT_PLAIN_WORDS, 'the message is plain words');
  await assertNothingLost(page);

  await removeFile(page, 'chapter.md');
  await waitForReadyAgain(page);
  assert.deepEqual(await chapterPaths(page), ['notes.md'], 'chapters after removing chapter.md');
  await convertGoodBook(page, artifacts);
});

siteTest('empty empty.md gets a warning', async ({ server, page, artifacts, t }) => {
  const file = join(await inputFolder(artifacts), 'empty.md');
  await writeFile(file, '');

  await startWithGoodBook(page, server);
  await chooseFiles(page, [file]);
  const warning = page.locator('#warnings > li[data-file="empty.md"]');
  await warning.waitFor();
  const text = (await warning.innerText()).trim();
  t.diagnostic(`warning: ${text}`);
  assert.match(text, /^empty\.md: warning: the file is empty/, 'the warning names the file and the problem');
  assert.match(text, /add text to it, or remove it/, 'the warning says what to do');
  await assertSettled(page);
  await assertNothingLost(page);

  // Clear all files and add the good book again: the details stay.
  await page.locator('#clear').click();
  assert.deepEqual(await filePaths(page), [], 'files after Clear');
  await chooseFiles(page, [GOOD_BOOK]);
  await waitForChapters(page, 1);
  await convertGoodBook(page, artifacts);
  assert.deepEqual(await warningsAbout(page, 'empty.md'), [], 'warnings about empty.md once it is gone');
});

siteTest('empty folder gets a message', async ({ server, page, artifacts, t }) => {
  const folder = join(await inputFolder(artifacts), 'empty-folder');
  await mkdir(folder);

  await startWithGoodBook(page, server);
  await chooseFolder(page, folder);
  const error = page.locator('#error');
  await error.getByText(/folder/).waitFor();
  const message = (await error.innerText()).trim();
  t.diagnostic(`#error: ${message}`);
  assert.match(message, /the folder you chose is empty/, 'the message says what happened');
  assert.match(message, /Choose the folder that contains/, 'the message says what to do');
  await assertSettled(page);
  await assertNothingLost(page);
  assert.deepEqual(await chapterPaths(page), ['notes.md'], 'chapters after choosing the empty folder');

  await convertGoodBook(page, artifacts);
});

siteTest('folder of hidden files gets a message', async ({ server, page, artifacts, t }) => {
  const folder = join(await inputFolder(artifacts), 'hidden-only');
  await mkdir(join(folder, '.drafts'), { recursive: true });
  await writeFile(join(folder, '.notes.md'), '# Hidden\n');
  await writeFile(join(folder, '.drafts', 'draft.md'), '# Draft\n');

  await startWithGoodBook(page, server);
  await chooseFolder(page, folder);
  const error = page.locator('#error');
  await error.getByText(/hidden/).waitFor();
  const message = (await error.innerText()).trim();
  t.diagnostic(`#error: ${message}`);
  assert.match(message, /\.notes\.md/, 'the message names the files');
  assert.match(message, /\.drafts\/draft\.md/, 'the message names the files in hidden folders');
  assert.match(message, /names start with a dot/, 'the message says why they were left out');
  await assertSettled(page);
  await assertNothingLost(page);

  await convertGoodBook(page, artifacts);
});

siteTest('100 MB Markdown file is refused', async ({ server, page, artifacts, t }) => {
  const file = join(await inputFolder(artifacts), 'huge.md');
  await writeLargeMarkdown(file, 100 * 1024 * 1024);

  try {
    await startWithGoodBook(page, server);
    // Tasks of 50 ms or more on the main thread; the engine works in its worker.
    await page.evaluate(() => {
      globalThis.longTasks = [];
      new PerformanceObserver((list) => {
        globalThis.longTasks.push(...list.getEntries().map((entry) => Math.round(entry.duration)));
      }).observe({ type: 'longtask' });
    });

    await chooseFiles(page, [file]);
    assert.deepEqual(await filePaths(page), ['huge.md', 'notes.md'], 'files after adding huge.md');
    assert.match(await page.locator('#file-list').innerText(), /huge\.md \(100\.0 MB\)/, 'the list gives the size');

    const message = await convertAndExpectFailure(page);
    t.diagnostic(`#error: ${message}`);
    assert.match(message, /huge\.md alone is 100\.0 MB/, 'the message names the largest file and its size');
    assert.match(message, new RegExp(`limit of ${PAGE_LIMIT_MB}\\.0 MB`), 'the message gives the limit');
    assert.match(message, /split it into smaller books, or use the quire command/, 'the message says what to do');
    assert.doesNotMatch(message, NOT_PLAIN_WORDS, 'the message is plain words');
    await assertNothingLost(page);

    const longTasks = await page.evaluate(() => globalThis.longTasks);
    t.diagnostic(`long tasks on the main thread (ms): ${JSON.stringify(longTasks)}`);
    assert.ok(
      longTasks.every((duration) => duration < 500),
      `the main thread was blocked for ${Math.max(...longTasks)} ms`,
    );

    await removeFile(page, 'huge.md');
    await waitForChapters(page, 1);
    await convertGoodBook(page, artifacts);
  } finally {
    await rm(file, { force: true });
  }
});

siteTest('Latin-1 latin1.md is rejected', async ({ server, page, artifacts, t }) => {
  const file = join(await inputFolder(artifacts), 'latin1.md');
  await writeFile(file, Buffer.from('# Caf\xe9\n\nCaf\xe9 cr\xe8me.\n', 'latin1'));

  await startWithGoodBook(page, server);
  await chooseFiles(page, [file]);
  await waitForState(page, 'failed');
  const message = await textOf(page, '#error');
  t.diagnostic(`#error: ${message}`);
  assert.match(message, /latin1\.md is not valid UTF-8/, 'the message names the file and the problem');
  assert.match(message, /save it as UTF-8/, 'the message says what to do');
  assert.doesNotMatch(message, NOT_PLAIN_WORDS, 'the message is plain words');
  await assertNothingLost(page);

  await removeFile(page, 'latin1.md');
  await waitForReadyAgain(page);
  await convertGoodBook(page, artifacts);
});

/** Writes a Markdown file of `size` bytes: a heading, then one paragraph repeated. */
async function writeLargeMarkdown(path, size) {
  const heading = Buffer.from('# A Very Long Chapter\n\n');
  const paragraph = Buffer.from('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n\n');
  const chunk = Buffer.alloc(1024 * 1024 - (1024 * 1024) % paragraph.length, paragraph);
  const handle = await open(path, 'w');
  try {
    let written = (await handle.write(heading)).bytesWritten;
    while (written < size) {
      written += (await handle.write(chunk, 0, Math.min(chunk.length, size - written))).bytesWritten;
    }
  } finally {
    await handle.close();
  }
}
