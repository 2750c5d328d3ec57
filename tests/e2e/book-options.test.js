// The book options beside the metadata: the typographic cover checkbox,
// the style choice, the target choice and the vertical switch. Each book passes EPUBCheck and
// has the same bytes as the command-line tool's with the matching options,
// and the preview shows the book's direction and writing mode.

import assert from 'node:assert/strict';
import { join } from 'node:path';

import { convertWithCli, describeDifference, epubcheck, readEpub } from './lib/epub.js';
import { siteTest } from './lib/fixture.js';
import { chooseFiles, convertAndDownload, openApp, waitForChapters, waitForState } from './lib/page.js';
import { testInput } from './lib/paths.js';

/** Adds one Markdown file and waits until the page has inspected it. */
async function addBook(page, path) {
  await chooseFiles(page, [path]);
  // The list shows the file. The engine splits it into chapters when it converts.
  await waitForChapters(page, 1);
  await waitForState(page, 'ready');
}

/** Checks a downloaded book with EPUBCheck and against the command line's with `options`. */
async function assertLikeCli(book, artifacts, input, options) {
  assert.deepEqual(await epubcheck(book.path), [], 'EPUBCheck fatal errors, errors and warnings');
  const cliBook = join(artifacts, 'cli.epub');
  await convertWithCli([input], cliBook, options);
  const difference = await describeDifference(book.path, cliBook);
  assert.equal(difference, null, difference ?? '');
}

siteTest('cover checkbox makes a cover', async ({ server, page, artifacts }) => {
  const input = testInput('books/cover-auto/book.md');
  await openApp(page, server);
  await addBook(page, input);
  const checkbox = page.getByLabel('Make a cover from the title and authors when there is no cover image', { exact: true });
  assert.equal(await checkbox.isChecked(), false, 'the cover checkbox starts unchecked');
  await checkbox.check();

  const book = await convertAndDownload(page, artifacts);
  const epub = await readEpub(book.path);
  assert.match(epub.opf, /href="images\/cover\.svg" media-type="image\/svg\+xml" properties="cover-image"/);
  assert.match(epub.text('EPUB/images/cover.svg'), />Ada Lovelace<\/text>/);
  assert.match(epub.text('EPUB/nav.xhtml'), /<a epub:type="cover" href="cover\.xhtml">Cover<\/a>/);
  await assertLikeCli(book, artifacts, input, ['--cover', 'auto']);
});

siteTest('made for Kobo makes a KEPUB', async ({ server, page, artifacts }) => {
  const input = testInput('books/notes/notes.md');
  await openApp(page, server);
  await addBook(page, input);
  await page.getByLabel('Made for', { exact: true }).selectOption({ label: 'Kobo (KEPUB)' });

  const book = await convertAndDownload(page, artifacts);
  assert.match(book.fileName, /\.kepub\.epub$/);
  const epub = await readEpub(book.path);
  const chapter = epub.text('EPUB/text/notes-part-one.xhtml');
  assert.match(chapter, /<div id="book-columns"><div id="book-inner">/);
  assert.match(chapter, /<span class="koboSpan" id="kobo\.1\.1">/);
  await assertLikeCli(book, artifacts, input, ['--target', 'kobo']);
});

siteTest('vertical switch and classic style', async ({ server, page, artifacts }) => {
  const input = testInput('books/japanese-vertical/book.md');
  await openApp(page, server);
  await addBook(page, input);
  await page.getByLabel('Style', { exact: true }).selectOption({ label: 'Classic' });
  await page.getByLabel('Vertical lines, read from right to left', { exact: true }).check();

  const book = await convertAndDownload(page, artifacts);
  const epub = await readEpub(book.path);
  assert.match(epub.opf, /<spine toc="ncx" page-progression-direction="rtl">/);
  const css = epub.text('EPUB/styles/quire.css');
  assert.match(css, /writing-mode: vertical-rl;/);
  assert.match(css, /font-family: serif;/);
  await assertLikeCli(book, artifacts, input, ['--vertical', '--style', 'classic']);

  const article = await page.locator('#preview').evaluate((host) => {
    const element = host.shadowRoot.querySelector('article');
    return { lang: element.lang, writingMode: getComputedStyle(element).writingMode };
  });
  assert.deepEqual(article, { lang: 'ja', writingMode: 'vertical-rl' }, 'the preview is set vertically');
});

siteTest('vertical switch warns for other languages', async ({ server, page, artifacts }) => {
  await openApp(page, server);
  await page.locator('#editor').fill('---\nlang: en\n---\n# Plain\n\nAn English book.\n');
  await waitForChapters(page, 1);
  await page.getByLabel('Vertical lines, read from right to left', { exact: true }).check();

  const book = await convertAndDownload(page, artifacts);
  const warnings = await page.locator('#warnings > li').allInnerTexts();
  assert.ok(
    warnings.some((text) => text.includes('vertical writing is only for Chinese, Japanese and Korean books')),
    `no warning about vertical writing in #warnings:\n${warnings.join('\n')}`,
  );
  const css = (await readEpub(book.path)).text('EPUB/styles/quire.css');
  assert.doesNotMatch(css, /vertical-rl/);
});

siteTest('Arabic book reads right to left', async ({ server, page, artifacts }) => {
  const input = testInput('books/arabic/book.md');
  await openApp(page, server);
  await addBook(page, input);

  const book = await convertAndDownload(page, artifacts);
  const epub = await readEpub(book.path);
  assert.match(epub.opf, /page-progression-direction="rtl"/);
  assert.match(epub.text('EPUB/nav.xhtml'), /<h1>المحتويات<\/h1>/);
  await assertLikeCli(book, artifacts, input, []);

  const article = await page.locator('#preview').evaluate((host) => {
    const element = host.shadowRoot.querySelector('article');
    const english = [...element.querySelectorAll('p')].find((paragraph) => paragraph.textContent.startsWith('Quire'));
    return { dir: element.dir, direction: getComputedStyle(element).direction, english: english?.dir };
  });
  assert.deepEqual(article, { dir: 'rtl', direction: 'rtl', english: 'ltr' }, 'the preview reads right to left');
});
