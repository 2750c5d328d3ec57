// The service worker. After the first visit the page works with the server
// gone, because the worker serves it, the engine and the WebAssembly module
// from its cache. A new version waits until the user presses Reload.

import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { convertWithCli, describeDifference } from './lib/epub.js';
import { siteTest } from './lib/fixture.js';
import {
  chapterPaths,
  chooseFiles,
  chooseFolder,
  convertAndDownload,
  openApp,
  waitForChapters,
  waitForState,
  waitForWarmEngine,
} from './lib/page.js';
import { testInput } from './lib/paths.js';

/** Time the service worker gets to install, precache and take control. */
const CONTROL_TIMEOUT_MS = 30_000;

/** Waits until a service worker controls the page. */
async function waitForControl(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: CONTROL_TIMEOUT_MS,
  });
}

/** Returns the names of the page's caches, sorted. */
async function cacheNames(page) {
  return (await page.evaluate(() => caches.keys())).sort();
}

/** Returns the VERSION in a built site's build-info.js. */
async function siteVersion(site) {
  const text = await readFile(join(site, 'build-info.js'), 'utf8');
  return text.match(/export const VERSION = "([^"]+)";/)[1];
}

siteTest('sample book converts offline', async ({ server, session, page, artifacts }) => {
  // sw.js claims the page it installs from, so the first visit is
  // controlled without a reload.
  await openApp(page, server);
  await waitForControl(page);
  // The worker loads the full module once it is stored; a reload before
  // that would cut its request short.
  await waitForWarmEngine(page);

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

siteTest(
  'new version waits for Reload',
  async ({ server, site, page, artifacts }) => {
    await openApp(page, server);
    await waitForControl(page);
    const oldVersion = await siteVersion(site);
    assert.deepEqual(await cacheNames(page), [`quire-${oldVersion}`], 'caches after the first visit');

    await page.locator('#title').fill('Field Notes');
    await chooseFiles(page, [testInput('books/notes/notes.md')]);
    await waitForChapters(page, 1);

    // Deploy a new version as scripts/build-www.sh would: a new VERSION in
    // build-info.js, which sw.js imports. Its .gz copy goes, so nginx
    // serves the changed file. The browser checks for an update on its own
    // schedule, so the test requests the check now.
    const newVersion = `${oldVersion}-next`;
    const buildInfo = join(site, 'build-info.js');
    await writeFile(buildInfo, (await readFile(buildInfo, 'utf8')).replace(oldVersion, newVersion));
    await rm(`${buildInfo}.gz`);
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration.update()));

    // The page announces the new version and stays as the user left it.
    await page.locator('#update-banner').waitFor();
    assert.equal(await page.locator('#title').inputValue(), 'Field Notes', '#title keeps what the user typed');
    assert.deepEqual(await chapterPaths(page), ['notes.md'], 'chapters while the new version waits');
    const book = await convertAndDownload(page, artifacts);
    assert.equal(book.fileName, 'Field Notes.epub');
    assert.ok(
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).waiting !== null),
      'the new version is still waiting after a conversion',
    );
    assert.deepEqual(
      await cacheNames(page),
      [`quire-${oldVersion}`, `quire-${newVersion}`].sort(),
      'the old version keeps its cache while it controls the page',
    );

    // Reload activates the new version, which deletes the old cache.
    const reloaded = page.waitForEvent('load');
    await page.locator('#reload').click();
    await reloaded;
    await waitForState(page, 'ready');
    await waitForControl(page);
    assert.ok(await page.locator('#update-banner').isHidden(), '#update-banner is hidden after the reload');
    // The page reloads once the new version starts to activate, which may
    // be before it has deleted the old cache.
    await page
      .waitForFunction(async (names) => (await caches.keys()).join() === names.join(), [`quire-${newVersion}`])
      .catch(() => {});
    assert.deepEqual(await cacheNames(page), [`quire-${newVersion}`], 'caches after the reload');
  },
  { ownSite: true },
);
