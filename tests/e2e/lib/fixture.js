// The test wrapper every e2e test uses. Each test file gets one nginx for
// all its tests, unless a test serves its own copy of the site, and each
// test gets its own Chromium profile. A test fails
// when its steps fail or when the browser recorded any problem (see
// browser.js), and a screenshot of every failed test is kept.

import { after, test } from 'node:test';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { launchBrowser } from './browser.js';
import { ARTIFACTS_DIR, REPO_ROOT } from './paths.js';
import { startServer } from './server.js';

let serverPromise = null;

after(async () => {
  if (serverPromise) {
    const server = await serverPromise.catch(() => null);
    await server?.stop();
  }
});

/** Starts this test file's server on first use. */
export function sharedServer() {
  serverPromise ??= startServer();
  return serverPromise;
}

/**
 * Defines a test that gets `{ server, site, session, page, artifacts, t }`:
 * the running server, the folder it serves, the browser session, its page
 * (not yet navigated) and a folder for the test's files.
 *
 * With `ownSite: true` the test gets a copy of dist/ in its folder, served
 * by its own nginx, so it may change the site (deploy a new version, say)
 * without affecting other tests.
 */
export function siteTest(name, body, { ownSite = false, ...options } = {}) {
  test(name, options, async (t) => {
    // Files left by an earlier run would be mistaken for this run's.
    const artifacts = join(ARTIFACTS_DIR, slug(name));
    await rm(artifacts, { recursive: true, force: true });
    await mkdir(artifacts, { recursive: true });

    let site = join(REPO_ROOT, 'dist');
    let ownServer = null;
    if (ownSite) {
      const copy = join(artifacts, 'site');
      await cp(site, copy, { recursive: true });
      site = copy;
      ownServer = await startServer(site);
    }
    const server = ownServer ?? (await sharedServer());

    let session;
    try {
      session = await launchBrowser(server);
    } catch (error) {
      await ownServer?.stop();
      throw error;
    }
    const page = await session.page();
    let failure = null;
    try {
      await body({ server, site, session, page, artifacts, t });
    } catch (error) {
      failure = error;
      await page
        .screenshot({ path: join(artifacts, 'failure.png'), fullPage: true })
        .then(() => t.diagnostic(`screenshot of the failure: ${join(artifacts, 'failure.png')}`))
        .catch(() => {});
    } finally {
      await session.close().finally(() => ownServer?.stop());
    }

    for (const line of session.expectedFailures) {
      t.diagnostic(`expected while the server was stopped: ${line}`);
    }
    const problems = session.problems.map((line) => `\n  ${line}`).join('');
    if (failure) {
      if (problems) {
        failure.message += `\nThe browser also recorded:${problems}`;
      }
      throw failure;
    }
    if (problems) {
      throw new Error(`The test's steps passed, but the browser recorded problems:${problems}`);
    }
  });
}

function slug(name) {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
