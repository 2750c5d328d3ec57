// Opening the page: it loads under the production headers with no console
// error or policy violation, and the converter starts.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { siteTest } from './lib/fixture.js';
import { chooseFolder, convertAndDownload, openApp, textOf, waitForChapters, waitForState } from './lib/page.js';
import { REPO_ROOT, testInput } from './lib/paths.js';

siteTest('page opens and converter starts', async ({ server, page }) => {
  const response = await page.goto(`${server.origin}/`);
  assert.equal(response.status(), 200);
  const policy = response.headers()['content-security-policy'] ?? '';
  assert.match(policy, /require-trusted-types-for 'script'/, 'the page is served with its strict policy');

  await waitForState(page, 'ready');
  assert.equal(await textOf(page, '#error'), '', '#error is empty');
  assert.equal(await textOf(page, '#load-error'), '', '#load-error is empty');
  assert.ok(await page.locator('#convert').isVisible(), '#convert is visible');
});

siteTest('every form control has a label', async ({ server, page }) => {
  await openApp(page, server);

  const unlabelled = await page.locator('input, select, textarea, button').evaluateAll((controls) =>
    controls
      .filter((control) => control.type !== 'hidden')
      .filter((control) => {
        const labelledBy = control.getAttribute('aria-labelledby');
        return !(
          control.labels?.length ||
          control.getAttribute('aria-label')?.trim() ||
          (labelledBy && document.getElementById(labelledBy)?.textContent.trim()) ||
          (control.tagName === 'BUTTON' && control.textContent.trim())
        );
      })
      .map((control) => control.id || control.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, [], 'controls without a label or accessible name');
});

siteTest('sample book screenshot for README', async ({ server, page, artifacts }) => {
  // The page in use: the sample book converted, with its chapters, the
  // details read from its metadata, its warnings and a chapter's preview.
  await openApp(page, server);
  await chooseFolder(page, testInput('books/sample'));
  await waitForChapters(page, 2);
  await waitForState(page, 'ready');
  await convertAndDownload(page, artifacts);

  assert.equal(await page.locator('#title').inputValue(), 'A Sample & Its <Tests>', '#title from the metadata');
  assert.ok((await page.locator('#warnings > li').count()) > 0, '#warnings lists the sample\'s warnings');
  const preview = page.locator('#preview');
  await preview.getByText('Getting Started').first().waitFor();
  const brokenImages = await preview.evaluate(async (host) => {
    const images = [...host.shadowRoot.querySelectorAll('img')];
    await Promise.all(images.map((image) => image.decode().catch(() => null)));
    return images.filter((image) => image.naturalWidth === 0).map((image) => image.alt);
  });
  assert.deepEqual(brokenImages, [], 'images in the preview that did not load');

  const docs = join(REPO_ROOT, 'docs');
  await mkdir(docs, { recursive: true });
  await page.screenshot({ path: join(docs, 'screenshot.png'), fullPage: true });
});
