// The test wrapper every e2e test uses. Each test file gets one nginx for
// all its tests, and each test gets its own Chromium profile. A test fails
// when its steps fail or when the browser recorded any problem (see
// browser.js), and a screenshot of every failed test is kept.

import { after, test } from 'node:test';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { launchBrowser } from './browser.js';
import { ARTIFACTS_DIR } from './paths.js';
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
 * Defines a test that gets `{ server, session, page, artifacts, t }`:
 * the running server, the browser session, its page (not yet navigated)
 * and a folder for the test's files.
 */
export function siteTest(name, body, options = {}) {
  test(name, options, async (t) => {
    const server = await sharedServer();
    // Files left by an earlier run would be mistaken for this run's.
    const artifacts = join(ARTIFACTS_DIR, slug(name));
    await rm(artifacts, { recursive: true, force: true });
    await mkdir(artifacts, { recursive: true });

    const session = await launchBrowser(server);
    const page = await session.page();
    let failure = null;
    try {
      await body({ server, session, page, artifacts, t });
    } catch (error) {
      failure = error;
      await page
        .screenshot({ path: join(artifacts, 'failure.png'), fullPage: true })
        .then(() => t.diagnostic(`screenshot of the failure: ${join(artifacts, 'failure.png')}`))
        .catch(() => {});
    } finally {
      await session.close();
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
