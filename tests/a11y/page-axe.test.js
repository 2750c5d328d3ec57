// Runs axe-core on the page in each state a user can reach: empty, with files
// loaded, with warnings listed, with a chapter in the preview, and with an
// error shown. Any violation, of any impact, fails the test.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { siteTest } from '../e2e/lib/fixture.js';
import {
  chooseFiles,
  convertAndDownload,
  convertAndExpectFailure,
  openApp,
  waitForChapters,
} from '../e2e/lib/page.js';
import { testInput } from '../e2e/lib/paths.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Injects axe-core and runs it on the whole page with its default rules
 * (WCAG 2.0, 2.1 and 2.2 A and AA, and best practices), and fails with
 * one line per violation and element.
 */
async function assertNoViolations(page, state, t) {
  // The page's CSP forbids inline scripts, but it does not apply to
  // scripts that Playwright evaluates through the DevTools protocol.
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const lines = results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) => `${violation.impact} ${violation.id}: ${node.target.join(' ')}: ${node.failureSummary.replace(/\s+/g, ' ')}`,
    ),
  );
  t.diagnostic(`${state}: ${results.passes?.length ?? 0} rules passed, ${lines.length} violations`);
  assert.deepEqual(lines, [], `axe-core found violations on the page ${state}`);
}

siteTest('page passes axe in every state', async ({ server, page, artifacts, t }) => {
  await openApp(page, server);
  await assertNoViolations(page, 'when empty', t);

  // A book whose image has no alt text, so the conversion lists a warning.
  const input = join(artifacts, 'input');
  await mkdir(input, { recursive: true });
  const chapter = join(input, 'chapter.md');
  await writeFile(chapter, '# A chapter\n\nSee ![](cover.png) and [here](https://example.org/).\n');
  await chooseFiles(page, [chapter, testInput('books/sample/images/cover.png')]);
  await waitForChapters(page, 1);
  await assertNoViolations(page, 'with files loaded', t);

  await convertAndDownload(page, artifacts);
  await page.locator('#warnings li').first().waitFor();
  await assertNoViolations(page, 'with warnings listed', t);

  await page.locator('#preview-chapter').selectOption({ index: 0 });
  await page.locator('#preview').locator('h1, p').first().waitFor();
  await assertNoViolations(page, 'with the preview open', t);

  await page.locator('#clear').click();
  await chooseFiles(page, [testInput('books/sample/images/cover.png')]);
  await convertAndExpectFailure(page);
  await assertNoViolations(page, 'with an error shown', t);
});
