// The page in headless Chromium: what a first visit transfers, and how long
// converting the Rust book takes, first in a fresh page and then again in
// the same page. The page is served by scripts/serve.sh (the production
// nginx.conf) and driven with the end-to-end tests' own helpers, so Chromium
// runs with the same flags and any console error is recorded.

import { readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { RUST_BOOK } from './books.mjs';
import { median } from './measure.mjs';

const E2E_LIB = new URL('../../tests/e2e/lib/', import.meta.url);
const { launchBrowser } = await import(new URL('browser.js', E2E_LIB));
const { startServer } = await import(new URL('server.js', E2E_LIB));

/** Time the page gets to start the engine, or to inspect or convert the book. */
const PAGE_TIMEOUT_MS = 120_000;

/** How long nginx's access log must stay unchanged before a load counts as finished. */
const QUIET_MS = 1_000;

/**
 * Starts the server, measures a cold load, then converts the Rust book in
 * `sessions` fresh browser profiles, once as the first conversion of the
 * page and `warmRuns` times more in the same page. Returns
 * `{ transfer, firstRun, warm, problems }`, with times in milliseconds.
 */
export async function measurePage({ sessions, warmRuns }) {
  const server = await startServer();
  try {
    const transfer = await measureColdLoad(server);
    const firstRun = { inPage: [], playwright: [] };
    const warm = { inPage: [], playwright: [] };
    const problems = [];
    for (let session = 0; session < sessions; session += 1) {
      const times = await convertInFreshPage(server, warmRuns + 1, problems);
      firstRun.inPage.push(times.inPage[0]);
      firstRun.playwright.push(times.playwright[0]);
      warm.inPage.push(...times.inPage.slice(1));
      warm.playwright.push(...times.playwright.slice(1));
    }
    return { transfer, firstRun: summarise(firstRun), warm: summarise(warm), problems };
  } finally {
    await server.stop();
  }
}

function summarise({ inPage, playwright }) {
  return { inPage, playwright, inPageMedian: median(inPage), playwrightMedian: median(playwright) };
}

/**
 * Loads the page in a fresh profile and waits until the engine has started
 * and the service worker has precached the site. Returns what the load
 * transferred: `bodyBytes` as nginx's access log records them (the .gz
 * files where nginx has one), `headerBytes` as Chromium reports them,
 * `responses`, and `distinctBodyBytes`, each URL counted once, which leaves
 * out the service worker's second download of the same files.
 */
async function measureColdLoad(server) {
  const logStart = statSync(server.logPath).size;
  const session = await launchBrowser(server);
  const headerSizes = [];
  session.context.on('requestfinished', (request) => {
    headerSizes.push(request.sizes().then((sizes) => sizes.responseHeadersSize));
  });
  try {
    const page = await session.page();
    await page.goto(`${server.origin}/`);
    await waitForState(page, 'ready');
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await waitForQuietLog(server.logPath);

    const lines = readFileSync(server.logPath).subarray(logStart).toString('utf8').split('\n');
    const responses = lines.map(parseAccessLogLine).filter((response) => response !== null);
    const bodyBytes = responses.reduce((sum, response) => sum + response.bytes, 0);
    const bytesByUrl = new Map(responses.map((response) => [response.url, response.bytes]));
    const distinctBodyBytes = [...bytesByUrl.values()].reduce((sum, bytes) => sum + bytes, 0);
    const headerBytes = (await Promise.all(headerSizes)).reduce((sum, size) => sum + Math.max(size, 0), 0);
    if (session.problems.length > 0) {
      throw new Error(`the page recorded problems while loading:\n  ${session.problems.join('\n  ')}`);
    }
    return { responses: responses.length, bodyBytes, distinctBodyBytes, headerBytes };
  } finally {
    await session.close();
  }
}

/** Waits until nginx's access log has not grown for QUIET_MS. */
async function waitForQuietLog(logPath) {
  let size = -1;
  while (statSync(logPath).size !== size) {
    size = statSync(logPath).size;
    await sleep(QUIET_MS);
  }
}

/**
 * Reads a line of nginx's default "combined" log format. Returns
 * `{ url, bytes }`, where `bytes` is `$body_bytes_sent`, or null for a line
 * that is not a request.
 */
function parseAccessLogLine(line) {
  const match = /"[A-Z]+ (\S+) HTTP\/[\d.]+" (\d{3}) (\d+)/.exec(line);
  return match ? { url: match[1], bytes: Number(match[3]) } : null;
}

/**
 * Opens the page in a fresh profile, picks the Rust book's folder, and
 * presses Make EPUB `runs` times, each after the last download. Returns the
 * time of each conversion two ways:
 *
 * - `inPage`: from the click event on #convert to the click the page sends
 *   to #download when the book is ready, both taken with
 *   `performance.now()` in the page, so Playwright's latency is left out;
 * - `playwright`: from just before Playwright clicks #convert to its
 *   download event, which adds the round trips to the browser.
 */
async function convertInFreshPage(server, runs, problems) {
  const session = await launchBrowser(server);
  try {
    const page = await session.page();
    await page.goto(`${server.origin}/`);
    await waitForState(page, 'ready');
    await page.evaluate(recordConvertTimes);
    await page.locator('#folder').setInputFiles(RUST_BOOK);
    await page.locator('#chapters > li').first().waitFor({ timeout: PAGE_TIMEOUT_MS });
    await waitForState(page, 'ready');

    const inPage = [];
    const playwright = [];
    for (let run = 0; run < runs; run += 1) {
      const download = page.waitForEvent('download', { timeout: PAGE_TIMEOUT_MS });
      const start = performance.now();
      await page.locator('#convert').click();
      await download;
      playwright.push(performance.now() - start);
      await waitForState(page, 'done');
      inPage.push(await page.evaluate(() => globalThis.__quireBenchTimes.at(-1)));
    }
    problems.push(...session.problems);
    return { inPage, playwright };
  } finally {
    await session.close();
  }
}

/**
 * Runs in the page: records the time from each click on #convert to the
 * next click on #download in `globalThis.__quireBenchTimes`, in
 * milliseconds. Capturing listeners on the document run before the page's
 * own handler on the button.
 */
function recordConvertTimes() {
  globalThis.__quireBenchTimes = [];
  let pressed = null;
  document.addEventListener(
    'click',
    (event) => {
      if (event.target.id === 'convert') {
        pressed = performance.now();
      } else if (event.target.id === 'download' && pressed !== null) {
        globalThis.__quireBenchTimes.push(performance.now() - pressed);
        pressed = null;
      }
    },
    true,
  );
}

async function waitForState(page, state) {
  await page.locator(`body[data-state="${state}"]`).waitFor({ state: 'attached', timeout: PAGE_TIMEOUT_MS });
}
