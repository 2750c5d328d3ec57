// What a user does on the page, as functions: open it, add files, convert,
// and wait for the page to show the outcome. Every wait goes through the
// page's DOM contract (ids and `body[data-state]`), never its internals.

import assert from 'node:assert/strict';
import { join } from 'node:path';

/** Time the engine gets to start when the page loads. */
const LOAD_TIMEOUT_MS = 30_000;

/** Time one conversion gets, far more than the Rust book, the largest input, needs. */
const CONVERT_TIMEOUT_MS = 120_000;

/** Opens the page and waits until the converter has started. */
export async function openApp(page, server) {
  await page.goto(`${server.origin}/`);
  await waitForState(page, 'ready', LOAD_TIMEOUT_MS);
}

/**
 * Waits until the worker has loaded the full module and converted its
 * built-in book, which it does once the service worker has stored the site.
 */
export async function waitForWarmEngine(page) {
  await page.locator('body[data-engine="warm"]').waitFor({ state: 'attached', timeout: LOAD_TIMEOUT_MS });
}

/**
 * States after which the page stays put until the user acts, so waiting for
 * another state is pointless once the page is in one of them.
 */
const SETTLED_STATES = ['ready', 'done', 'failed'];

/**
 * Waits until `body[data-state]` is `state`, and fails at once when the page
 * settles in another state instead (such as "failed" while waiting for
 * "done"). The error names the state the page is in and what #status,
 * #error and #load-error show.
 */
export async function waitForState(page, state, timeout = CONVERT_TIMEOUT_MS) {
  // "ready" also follows a failure once the user changes the input, so only
  // the other settled states end a wait early.
  const ends = [state, ...SETTLED_STATES.filter((other) => other !== state && other !== 'ready')];
  const selector = ends.map((name) => `body[data-state="${name}"]`).join(', ');
  let reached = null;
  try {
    await page.locator(selector).waitFor({ state: 'attached', timeout });
    reached = await page.locator('body').getAttribute('data-state');
  } catch (error) {
    reached = error;
  }
  if (reached === state) {
    return;
  }

  const actual = await page.locator('body').getAttribute('data-state').catch(() => '(unknown)');
  const waited = reached instanceof Error ? `within ${timeout} ms` : 'because it settled in another state';
  throw new Error(
    `the page did not reach data-state="${state}" ${waited}; it is "${actual}", ` +
      `#status shows ${JSON.stringify(await textOf(page, '#status'))}, ` +
      `#error shows ${JSON.stringify(await textOf(page, '#error'))}, ` +
      `#load-error shows ${JSON.stringify(await textOf(page, '#load-error'))}`,
    reached instanceof Error ? { cause: reached } : undefined,
  );
}

/**
 * Waits until the page is ready again after a failure, once the user has
 * changed the files. waitForState(page, 'ready') would stop at once on the
 * "failed" state the page keeps until the engine has inspected the new
 * files, which takes longer while the worker is warming up.
 */
export async function waitForReadyAgain(page) {
  await page.locator('body[data-state="ready"]').waitFor({ state: 'attached', timeout: CONVERT_TIMEOUT_MS });
}

/** Returns an element's visible text, or '' when it is missing or hidden. */
export async function textOf(page, selector) {
  const element = page.locator(selector);
  if ((await element.count()) === 0 || !(await element.isVisible())) {
    return '';
  }
  return (await element.innerText()).trim();
}

/** Picks a folder with the folder picker, as "Choose a folder" does. */
export async function chooseFolder(page, folder) {
  await page.locator('#folder').setInputFiles(folder);
}

/** Picks files with the file picker. */
export async function chooseFiles(page, files) {
  await page.locator('#files').setInputFiles(files);
}

/** Removes one file with its Remove button in the list of files, opening the list first if it is closed. */
export async function removeFile(page, path) {
  if (!(await page.locator('#file-details').evaluate((details) => details.open))) {
    await page.locator('#file-summary').click();
  }
  await page.locator('#file-list').getByRole('button', { name: `Remove ${path}`, exact: true }).click();
}

/** Returns the paths in the list of files, in the order shown. */
export async function filePaths(page) {
  return page.locator('#file-list > li > code').allInnerTexts();
}

/** Returns the paths of the chapter list in the order shown. */
export async function chapterPaths(page) {
  return page.locator('#chapters > li').evaluateAll((items) => items.map((item) => item.dataset.path));
}

/** Waits until the chapter list shows `count` chapters. */
export async function waitForChapters(page, count) {
  await page.locator(`#chapters > li:nth-child(${count})`).waitFor({ timeout: CONVERT_TIMEOUT_MS });
  assert.equal((await chapterPaths(page)).length, count, 'number of chapters in #chapters');
}

/**
 * Presses "Convert", waits for the page's download and for
 * data-state="done", and saves the book in `folder`. Returns the saved path
 * and the file name the page gave the download.
 */
export async function convertAndDownload(page, folder) {
  const download = page.waitForEvent('download', { timeout: CONVERT_TIMEOUT_MS });
  await page.locator('#convert').click();

  let saved;
  try {
    saved = await download;
  } catch (error) {
    const state = await page.locator('body').getAttribute('data-state');
    throw new Error(
      `no download after pressing Convert; data-state is "${state}", ` +
        `#status shows ${JSON.stringify(await textOf(page, '#status'))}, ` +
        `#error shows ${JSON.stringify(await textOf(page, '#error'))}`,
      { cause: error },
    );
  }
  await waitForState(page, 'done');

  const fileName = saved.suggestedFilename();
  const path = join(folder, fileName);
  await saved.saveAs(path);
  return { path, fileName };
}

/** Presses "Convert" and waits for the page to report the failure; returns #error's text. */
export async function convertAndExpectFailure(page) {
  await page.locator('#convert').click();
  await waitForState(page, 'failed');
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible' });
  return (await error.innerText()).trim();
}
