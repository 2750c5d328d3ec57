// Working with the sample book (tests/books/sample): its warnings, the
// chapter order and the preview.

import assert from 'node:assert/strict';
import { join } from 'node:path';

import { convertWithCli, readSpine } from './lib/epub.js';
import { siteTest } from './lib/fixture.js';
import { chapterPaths, chooseFolder, convertAndDownload, openApp, waitForChapters, waitForState } from './lib/page.js';
import { testInput } from './lib/paths.js';

const SAMPLE = testInput('books/sample');

siteTest('sample book warnings show file and line', async ({ server, page, artifacts }) => {
  await openApp(page, server);
  await chooseFolder(page, SAMPLE);
  await waitForChapters(page, 2);
  await convertAndDownload(page, artifacts);

  const shownWarnings = await page.locator('#warnings > li').allInnerTexts();
  assert.ok(
    shownWarnings.some((text) =>
      /^01-start\.md:35: warning: image "images\/missing\.png" not found/.test(text.trim()),
    ),
    `no warning about the missing image in #warnings:\n${shownWarnings.join('\n')}`,
  );

  // The command line prints the same warnings, with paths from where it ran.
  const cliOutput = await convertWithCli(['tests/books/sample'], join(artifacts, 'cli.epub'));
  const cliWarnings = cliOutput
    .trim()
    .split('\n')
    .map((line) => line.replace('tests/books/sample/', ''));
  assert.deepEqual(
    shownWarnings.map((text) => text.trim()),
    cliWarnings,
  );
});

siteTest('chapter moves down with keyboard', async ({ server, page, artifacts }) => {
  await openApp(page, server);
  await chooseFolder(page, SAMPLE);
  await waitForChapters(page, 2);
  await waitForState(page, 'ready');
  assert.deepEqual(await chapterPaths(page), ['01-start.md', '02-details.md']);

  const moveDown = page.locator('#chapters > li').first().getByRole('button', { name: /^Move down/ });
  const label = await moveDown.getAttribute('aria-label');
  await moveDown.focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await chapterPaths(page), ['02-details.md', '01-start.md'], 'order in #chapters');
  assert.equal(
    await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
    label,
    'the pressed button keeps the focus',
  );

  const book = await convertAndDownload(page, artifacts);
  const spine = await readSpine(book.path);
  const details = spine.findIndex((item) => item.text.includes('Tables and Lists'));
  const start = spine.findIndex((item) => item.text.includes('Welcome to'));
  const spinePaths = spine.map((item) => item.path).join(', ');
  assert.ok(details >= 0, `02-details.md not found in the spine: ${spinePaths}`);
  assert.ok(start >= 0, `01-start.md not found in the spine: ${spinePaths}`);
  assert.ok(details < start, `02-details.md is at spine index ${details}, 01-start.md at ${start}`);
});

siteTest('preview shows chosen chapter', async ({ server, page, artifacts }) => {
  await openApp(page, server);
  await chooseFolder(page, SAMPLE);
  await waitForChapters(page, 2);
  await convertAndDownload(page, artifacts);

  // The first chapter shows the sample's images from the picked files.
  const preview = page.locator('#preview');
  const brokenImages = await preview.evaluate(async (host) => {
    const images = [...host.shadowRoot.querySelectorAll('img')];
    await Promise.all(images.map((image) => image.decode().catch(() => null)));
    return images.filter((image) => image.naturalWidth === 0).map((image) => image.alt);
  });
  assert.deepEqual(brokenImages, [], 'images in the preview that did not load');

  const options = await page.locator('#preview-chapter option').allInnerTexts();
  const detailsOption = options.find((text) => /details|tables/i.test(text));
  assert.ok(detailsOption, `no option for the second chapter in #preview-chapter: ${options.join(' | ')}`);
  await page.locator('#preview-chapter').selectOption({ label: detailsOption });

  // Locators pierce open shadow roots; the check below makes sure the text
  // really is inside #preview's shadow root and not beside it.
  await preview.getByText('Tables and Lists').first().waitFor();
  const shadowText = await preview.evaluate((host) => host.shadowRoot?.textContent ?? null);
  assert.notEqual(shadowText, null, '#preview has an open shadow root');
  assert.match(shadowText, /Tables and Lists/);
  assert.doesNotMatch(shadowText, /Welcome to/, 'the first chapter is no longer shownWarnings');
});
