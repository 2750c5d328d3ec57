// Runs Lighthouse on the page served by the production nginx.conf and
// requires scores of 100 for accessibility and for best practices, read
// from its JSON report.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { CHROMIUM_ARGS } from '../e2e/lib/browser.js';
import { startServer } from '../e2e/lib/server.js';
import { REPO_ROOT } from '../e2e/lib/paths.js';

const run = promisify(execFile);

const LIGHTHOUSE = join(import.meta.dirname, 'node_modules', '.bin', 'lighthouse');
const REPORT_DIR = join(REPO_ROOT, 'target', 'tmp', 'lighthouse');

/** The categories checked, each of which must score 100. */
const CATEGORIES = ['accessibility', 'best-practices'];

test('Lighthouse scores the page 100', async (t) => {
  const server = await startServer();
  try {
    await mkdir(REPORT_DIR, { recursive: true });
    const reportPath = join(REPORT_DIR, 'report.json');
    await run(
      LIGHTHOUSE,
      [
        `${server.origin}/`,
        '--quiet',
        '--output=json',
        `--output-path=${reportPath}`,
        `--only-categories=${CATEGORIES.join(',')}`,
        // The e2e tests' flags: no host but 127.0.0.1 resolves, so no
        // request of the page or of Lighthouse leaves this machine.
        `--chrome-flags=${CHROMIUM_ARGS.join(' ')}`,
      ],
      {
        env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? process.env.CHROMIUM ?? '/usr/bin/chromium' },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
    );
    const report = JSON.parse(await readFile(reportPath, 'utf8'));
    assert.equal(report.runtimeError, undefined, `Lighthouse failed: ${JSON.stringify(report.runtimeError)}`);

    for (const category of CATEGORIES) {
      const { score, auditRefs } = report.categories[category];
      // Audits that count towards the score and did not pass in full.
      const failed = auditRefs
        .filter((ref) => ref.weight > 0)
        .map((ref) => report.audits[ref.id])
        .filter((audit) => audit.score !== null && audit.score < 1)
        .map((audit) => `${audit.id} (${audit.score}): ${audit.title}`);
      t.diagnostic(`${category}: ${Math.round(score * 100)}`);
      assert.equal(Math.round(score * 100), 100, `${category} scored below 100; failed audits: ${failed.join('; ')}; report in ${reportPath}`);
    }
  } finally {
    await server.stop();
  }
});
