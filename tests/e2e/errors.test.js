// Input the engine cannot use: the page shows the problem in #error, in
// plain words that name the file, and keeps working.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { siteTest } from './lib/fixture.js';
import {
  chooseFiles,
  convertAndDownload,
  convertAndExpectFailure,
  openApp,
  textOf,
  waitForChapters,
} from './lib/page.js';
import { testInput } from './lib/paths.js';

/** Clears the files, converts a valid one-file book, and checks that the error has gone. */
async function convertValidBookNext(page, artifacts) {
  await page.locator('#clear').click();
  await chooseFiles(page, [testInput('books/notes/notes.md')]);
  await waitForChapters(page, 1);
  const book = await convertAndDownload(page, artifacts);
  assert.match(book.fileName, /\.epub$/);
  assert.equal(await textOf(page, '#error'), '', '#error is empty after a good conversion');
}

siteTest('PNG as only file is rejected', async ({ server, page, artifacts, t }) => {
  await openApp(page, server);
  await chooseFiles(page, [testInput('books/sample/images/cover.png')]);

  const message = await convertAndExpectFailure(page);
  t.diagnostic(`#error: ${message}`);
  assert.match(message, /cover\.png/, 'the message names the file');
  assert.doesNotMatch(message, /undefined|\[object |RuntimeError|wasm-function/, 'the message is plain words');

  await convertValidBookNext(page, artifacts);
});

siteTest('Latin-1 Markdown file is rejected', async ({ server, page, artifacts, t }) => {
  const input = join(artifacts, 'input');
  await mkdir(input, { recursive: true });
  const file = join(input, 'latin1-notes.md');
  await writeFile(file, Buffer.from('# Caf\xe9 notes\n\nCr\xe8me br\xfbl\xe9e.\n', 'latin1'));

  await openApp(page, server);
  await chooseFiles(page, [file]);

  const message = await convertAndExpectFailure(page);
  t.diagnostic(`#error: ${message}`);
  assert.match(message, /latin1-notes\.md/, 'the message names the file');
  assert.match(message, /UTF-8/, 'the message says which encoding is needed');

  await convertValidBookNext(page, artifacts);
});

siteTest('broken YAML metadata is reported', async ({ server, page, artifacts, t }) => {
  // The engine parses the YAML block, so its error crosses the WebAssembly
  // boundary as a JavaScript Error and must arrive as the engine's words.
  const input = join(artifacts, 'input');
  await mkdir(input, { recursive: true });
  const file = join(input, 'broken-yaml.md');
  await writeFile(file, '---\ntitle: [an unclosed list\nauthor: Ada\n---\n\n# Chapter\n\nText.\n');

  await openApp(page, server);
  await chooseFiles(page, [file]);

  const message = await convertAndExpectFailure(page);
  t.diagnostic(`#error: ${message}`);
  assert.match(message, /broken-yaml\.md:\d+: invalid YAML metadata/, 'the engine names file, line and problem');
  assert.doesNotMatch(message, /undefined|\[object |RuntimeError|wasm-function/, 'the message is plain words');

  await convertValidBookNext(page, artifacts);
});

siteTest('out-of-range TOC depth is explained', async ({ server, page, artifacts }) => {
  await openApp(page, server);
  await chooseFiles(page, [testInput('books/notes/notes.md')]);
  await waitForChapters(page, 1);
  await page.locator('#toc-depth').fill('9');
  await page.locator('#convert').click();

  const error = page.locator('#error');
  await error.getByText(/table of contents depth/i).waitFor();
  assert.match(await error.innerText(), /1 to 6|1 and 6/, 'the message gives the allowed range');

  await page.locator('#toc-depth').fill('3');
  const book = await convertAndDownload(page, artifacts);
  assert.match(book.fileName, /\.epub$/);
  assert.equal(await textOf(page, '#error'), '', '#error is empty after a good conversion');
});

test('engine rejects invalid options from worker', {
  skip:
    'the page checks every option before it reaches the worker (the TOC depth is the only one the engine ' +
    'rejects, and the page rejects it first), so no user action sends the worker invalid options',
});
