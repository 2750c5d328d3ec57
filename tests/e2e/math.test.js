// Books with formulas and code. The page starts with a module that only
// inspects books. Its worker loads the module with every feature
// (pkg-full/: the converter with math and highlighting, and the checker)
// once the service worker has stored it, and warms it up on a built-in
// book, so loading the page waits for the first module alone and the full
// module is downloaded once. A book with formulas or code then has the same
// bytes as the command-line tool's, with MathML and highlighted code.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { convertWithCli, describeDifference, epubcheck, readEpub } from './lib/epub.js';
import { siteTest } from './lib/fixture.js';
import {
  chooseFiles,
  chooseFolder,
  convertAndDownload,
  openApp,
  waitForChapters,
  waitForState,
  waitForWarmEngine,
} from './lib/page.js';
import { testInput } from './lib/paths.js';

const FULL_MODULE = '/pkg-full/quire_bg.wasm';

/** Returns the status of each request for `path` in nginx's access log, from byte `from` on. */
function statusesInLog(server, path, from) {
  const text = readFileSync(server.logPath, 'utf8').slice(from);
  return [...text.matchAll(/"GET (\S+) HTTP\/[\d.]+" (\d{3}) /g)]
    .filter((match) => match[1] === path)
    .map((match) => Number(match[2]));
}

siteTest('full engine loads once stored, then warms up', async ({ server, page, artifacts }) => {
  // The page's own requests and its worker's, not the service worker's,
  // which stores the full module for offline use.
  const requested = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  const logStart = readFileSync(server.logPath, 'utf8').length;

  await openApp(page, server);
  assert.ok(requested.includes('/pkg/quire_bg.wasm'), `the first module was loaded: ${requested.join(', ')}`);
  await waitForWarmEngine(page);
  assert.ok(requested.includes(FULL_MODULE), `the worker loaded the full module: ${requested.join(', ')}`);
  // The service worker downloads it, and the worker's request gets the
  // browser's cached copy after a check with the server.
  const statuses = statusesInLog(server, FULL_MODULE, logStart);
  assert.equal(statuses.filter((status) => status === 200).length, 1, `downloads: ${statuses.join(', ')}`);

  // The notes book has neither formulas nor code.
  await chooseFiles(page, [testInput('books/notes/notes.md')]);
  await waitForChapters(page, 1);
  await convertAndDownload(page, artifacts);

  // A fresh page, so that only the technical book is added.
  await openApp(page, server);
  await chooseFolder(page, testInput('books/technical'));
  await waitForChapters(page, 2);
  await waitForState(page, 'ready');
  const book = await convertAndDownload(page, artifacts);
  assert.ok(requested.includes(FULL_MODULE), `the full module was loaded: ${requested.join(', ')}`);

  const epub = await readEpub(book.path);
  assert.match(
    epub.text('EPUB/text/01-math.xhtml'),
    /<math xmlns="http:\/\/www\.w3\.org\/1998\/Math\/MathML" display="block" alttext="e\^\{i\\pi\} \+ 1 = 0">/,
  );
  assert.match(epub.text('EPUB/text/02-code.xhtml'), /<span class="hl-kw">fn<\/span> answer/);
  const cliBook = join(artifacts, 'cli.epub');
  await convertWithCli(['tests/books/technical'], cliBook);
  const difference = await describeDifference(book.path, cliBook);
  assert.equal(difference, null, difference ?? '');
  assert.deepEqual(await epubcheck(book.path), [], 'EPUBCheck fatal errors, errors and warnings');

  const shownWarnings = await page.locator('#warnings > li').allInnerTexts();
  assert.deepEqual(
    shownWarnings.map((text) => text.trim().replace(/:\d+: warning: .*$/, '')),
    ['01-math.md'],
    `only the formula the converter cannot read is a warning:\n${shownWarnings.join('\n')}`,
  );
  const previewMath = await page
    .locator('#preview')
    .evaluate((host) => host.shadowRoot.querySelectorAll('math').length);
  assert.ok(previewMath > 0, 'the preview shows the formulas as MathML');
});
