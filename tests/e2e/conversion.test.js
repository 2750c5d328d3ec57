// Converting real books: the page's EPUB passes EPUBCheck and has the same
// bytes as the command-line tool's for the same files. The page passes each
// File's lastModified and the tool uses the files' modification times, so
// dcterms:modified agrees.

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { convertWithCli, describeDifference, epubcheck, readSpine } from './lib/epub.js';
import { siteTest } from './lib/fixture.js';
import { chapterPaths, chooseFiles, chooseFolder, convertAndDownload, openApp, waitForState } from './lib/page.js';
import { testInput } from './lib/paths.js';

siteTest('Rust book folder converts like the CLI', async ({ server, page, artifacts }) => {
  await openApp(page, server);
  await chooseFolder(page, testInput('corpus/rust-book'));
  await page.locator('#chapters > li').first().waitFor();
  await waitForState(page, 'ready');
  assert.equal((await chapterPaths(page))[0], 'src/title-page.md', 'first chapter in SUMMARY.md order');

  const book = await convertAndDownload(page, artifacts);
  assert.equal(book.fileName, 'The Rust Programming Language.epub');

  const cliBook = join(artifacts, 'cli.epub');
  await convertWithCli(['tests/corpus/rust-book'], cliBook);
  assert.deepEqual(await epubcheck(book.path), [], 'EPUBCheck fatal errors, errors and warnings');
  const difference = await describeDifference(book.path, cliBook);
  assert.equal(difference, null, difference ?? '');
});

siteTest('Japanese README converts like the CLI', async ({ server, page, artifacts }) => {
  // The file shows cowsay.png, which the command-line tool reads from beside
  // it; on the page the user adds the image with the file.
  const folder = testInput('corpus/art-of-command-line');
  const markdown = join(folder, 'README-ja.md');

  await openApp(page, server);
  await chooseFiles(page, [markdown, join(folder, 'cowsay.png')]);
  await page.locator('#chapters > li').first().waitFor();
  await waitForState(page, 'ready');
  assert.deepEqual(await chapterPaths(page), ['README-ja.md']);

  const book = await convertAndDownload(page, artifacts);
  const cliBook = join(artifacts, 'cli.epub');
  await convertWithCli([markdown], cliBook);
  assert.deepEqual(await epubcheck(book.path), [], 'EPUBCheck fatal errors, errors and warnings');
  const difference = await describeDifference(book.path, cliBook);
  assert.equal(difference, null, difference ?? '');
});

siteTest('typed Markdown converts', async ({ server, page, artifacts }) => {
  await openApp(page, server);
  await page.locator('#editor').fill('# Typed Notes\n\nWritten in the *editor* of the page.\n');
  await page.locator('#chapters > li').first().waitFor();
  assert.deepEqual(await chapterPaths(page), ['typed.md']);

  const book = await convertAndDownload(page, artifacts);
  assert.equal(book.fileName, 'Typed Notes.epub');
  const link = page.locator('#download');
  assert.ok(await link.isVisible(), '#download is shown after the conversion');
  assert.equal(await link.getAttribute('download'), book.fileName, "#download's file name");
  assert.match(await link.getAttribute('href'), /^blob:/, '#download links to the book in memory');
  const spine = await readSpine(book.path);
  assert.ok(
    spine.some((item) => item.text.includes('Written in the <em>editor</em> of the page.')),
    `no content document in the spine has the typed text: ${spine.map((item) => item.path).join(', ')}`,
  );
  assert.deepEqual(await epubcheck(book.path), [], 'EPUBCheck fatal errors, errors and warnings');

  // After a change the link still offers the last book, labelled as made
  // before the change, until the next conversion.
  const label = await link.innerText();
  await page.locator('#editor').fill('# Typed Notes\n\nWritten again.\n');
  await page.waitForFunction(() => document.querySelector('#download').textContent.includes('before your latest changes'));
  assert.equal(await link.innerText(), `${label}, made before your latest changes`);
  await waitForState(page, 'ready');
  // A change of files inspects them again. The warnings list then shows
  // what that found, then the last book's warnings: the typed book gives
  // no language, which only a conversion reports.
  const summary = page.locator('#warnings-summary');
  const mixed = /^1 warning, about the files as they are now and from the book made before your latest changes\./;
  assert.match(await summary.innerText(), mixed, 'after a change of text');
  assert.match(await page.locator('#warnings').innerText(), /no language given/, 'the last book\'s warning, still listed');
  await page.locator('#title').fill('A Title');
  assert.match(await summary.innerText(), mixed, 'after a change of text, then of title');
  await convertAndDownload(page, artifacts);
  assert.equal((await link.innerText()).includes('before'), false, `after converting again: ${await link.innerText()}`);
  assert.equal(await summary.innerText(), '1 warning: Quire worked around these problems.', 'after converting again');

  // So does a change to the book details.
  // Its warnings are still the last book's, and their summary states it,
  // because only a change of files inspects the book again.
  await page.locator('#title').fill('Another Title');
  assert.match(await link.innerText(), /, made before your latest changes$/, 'after a change of title');
  assert.match(await summary.innerText(), /in the book made before your latest changes/, 'after a change of title');
  assert.equal(
    await page.locator('#status').innerText(),
    'The book changed since it was made. Press Make EPUB to make it again.',
    'status after a change of title',
  );

  // A change made while the book is being made shows on its link too.
  const download = page.waitForEvent('download');
  await page.evaluate(() => {
    document.querySelector('#convert').click();
    const title = document.querySelector('#title');
    title.value = 'A Third Title';
    title.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await download;
  await waitForState(page, 'done');
  assert.match(await link.innerText(), /^Download Another Title\.epub .*, made before your latest changes$/);
  assert.match(await summary.innerText(), /in the book made before your latest changes/);
});

siteTest('unchanged file list is sent once', async ({ server, page, artifacts }) => {
  // Records the file list of each request the page sends its worker.
  await page.addInitScript(() => {
    globalThis.sentFileLists = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message?.id !== undefined) {
        globalThis.sentFileLists.push({ kind: message.kind, count: message.files?.length ?? null });
      }
      return post.call(this, message, ...rest);
    };
  });
  const sent = () => page.evaluate(() => globalThis.sentFileLists);

  await openApp(page, server);
  await chooseFiles(page, [testInput('books/notes/notes.md')]);
  await page.locator('#chapters > li').first().waitFor();
  await waitForState(page, 'ready');
  await convertAndDownload(page, artifacts);
  assert.deepEqual(await sent(), [
    { kind: 'inspect', count: 1 },
    { kind: 'convert', count: null },
  ]);

  // A changed list goes in full once, and the conversion uses it.
  const second = join(artifacts, 'second.md');
  await writeFile(second, '# Second\n\nAdded after the first book.\n');
  await chooseFiles(page, [second]);
  await page.locator('#chapters > li').nth(1).waitFor();
  await waitForState(page, 'ready');
  const book = await convertAndDownload(page, artifacts);
  assert.deepEqual((await sent()).slice(2), [
    { kind: 'inspect', count: 2 },
    { kind: 'convert', count: null },
  ]);
  const spine = await readSpine(book.path);
  assert.ok(
    spine.some((item) => item.text.includes('Added after the first book.')),
    `no content document has the added file's text: ${spine.map((item) => item.path).join(', ')}`,
  );
});

siteTest('typed text outside SUMMARY.md is a warning', async ({ server, page, artifacts }) => {
  const folder = join(artifacts, 'book');
  await mkdir(join(folder, 'src'), { recursive: true });
  await writeFile(join(folder, 'src', 'SUMMARY.md'), '# Summary\n\n- [Intro](intro.md)\n');
  await writeFile(join(folder, 'src', 'intro.md'), '# Intro\n\nThe only chapter.\n');

  await openApp(page, server);
  await chooseFolder(page, folder);
  await page.locator('#editor').fill('# Typed\n\nNot in the summary.\n');
  await page.locator('#warnings > li', { hasText: 'typed.md: warning' }).waitFor();
  const warnings = () => page.locator('#warnings > li').allInnerTexts();
  const typedWarning = /^typed\.md: warning: the typed text is left out of the book, because the chapters are the files SUMMARY\.md lists/;
  assert.ok((await warnings()).some((text) => typedWarning.test(text.trim())), `after inspecting: ${await warnings()}`);

  await convertAndDownload(page, artifacts);
  assert.ok((await warnings()).some((text) => typedWarning.test(text.trim())), `after converting: ${await warnings()}`);
});
