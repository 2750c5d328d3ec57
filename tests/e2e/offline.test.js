// The page after its first visit works with the server gone: the service
// worker serves the page, the engine and the WebAssembly module from its
// cache.

import assert from 'node:assert/strict';
import { join } from 'node:path';

import { convertWithCli, describeDifference } from './lib/epub.js';
import { siteTest } from './lib/fixture.js';
import { chooseFolder, convertAndDownload, openApp, waitForChapters, waitForState } from './lib/page.js';
import { testInput } from './lib/paths.js';

/** Time the service worker gets to install, precache and take control. */
const CONTROL_TIMEOUT_MS = 30_000;

siteTest('sample book converts offline', async ({ server, session, page, artifacts, t }) => {
  await openApp(page, server);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
    // A service worker that does not claim open pages controls them from
    // the next load on, as when the user comes back.
    t.diagnostic('the service worker did not control the first load; reloading');
    await page.reload();
    await waitForState(page, 'ready');
  }
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: CONTROL_TIMEOUT_MS,
  });

  session.expectServerDown();
  await server.stop();
  await page.reload();
  await waitForState(page, 'ready');

  await chooseFolder(page, testInput('books/sample'));
  await waitForChapters(page, 2);
  const book = await convertAndDownload(page, artifacts);

  const cliBook = join(artifacts, 'cli.epub');
  await convertWithCli(['tests/books/sample'], cliBook);
  const difference = await describeDifference(book.path, cliBook);
  assert.equal(difference, null, difference ?? '');
});
