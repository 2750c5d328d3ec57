// The page's "Check an EPUB" section and the check of every book the page
// makes: a book made on the page shows no checker finding among its
// warnings, the section finds nothing in that book, and it lists the
// fault, with file and code, in a copy whose mimetype is damaged.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { siteTest } from './lib/fixture.js';
import { chooseFiles, convertAndDownload, openApp, textOf, waitForChapters, waitForState } from './lib/page.js';
import { testInput } from './lib/paths.js';

/** How long a check may take, including loading the checker's module. */
const CHECK_TIMEOUT_MS = 60_000;

/** Picks `path` in the check section and waits for its verdict. */
async function checkEpub(page, path) {
  await page.locator('#check-file').setInputFiles(path);
  await page.waitForFunction(
    () => {
      const text = document.getElementById('check-status').textContent;
      return text !== '' && !text.startsWith('Checking');
    },
    null,
    { timeout: CHECK_TIMEOUT_MS },
  );
  return textOf(page, '#check-status');
}

siteTest('page checks books it makes and any EPUB', async ({ server, page, artifacts }) => {
  await openApp(page, server);
  await chooseFiles(page, [testInput('books/notes/notes.md')]);
  await waitForChapters(page, 1);
  await waitForState(page, 'ready');
  const { path, fileName } = await convertAndDownload(page, artifacts);

  const warnings = await textOf(page, '#warnings');
  assert.doesNotMatch(warnings, /EPUB checker/, 'the book made on the page has no checker finding');

  const clean = await checkEpub(page, path);
  assert.equal(clean, `${fileName}: no problems found.`);

  const bytes = await readFile(path);
  // The mimetype's text starts at byte 38, after the 30-byte local header
  // and the 8-byte name.
  bytes.write('application/epub+zap', 38, 'latin1');
  const broken = join(artifacts, 'broken.epub');
  await writeFile(broken, bytes);

  const verdict = await checkEpub(page, broken);
  assert.match(verdict, /^broken\.epub: \d+ error\(s\) and 0 warning\(s\)\. Stores/);
  const findings = await textOf(page, '#check-findings');
  assert.match(findings, /mimetype: error PKG-007: /);
});
