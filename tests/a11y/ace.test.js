// Runs Ace by DAISY on every book the EPUBCheck gate builds (the corpus in
// tests/corpus and the test books in tests/books) and requires no critical
// and no serious violation. All books are checked in this one process, so
// Node and Ace load once; Ace starts its own Chromium for each book.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO_ROOT } from '../e2e/lib/paths.js';

// Ace's Puppeteer must use the system Chromium: npm installs it with
// PUPPETEER_SKIP_DOWNLOAD=1, so it has no browser of its own.
process.env.PUPPETEER_EXECUTABLE_PATH ??= process.env.CHROMIUM ?? '/usr/bin/chromium';
// Ace gives Chromium 5 seconds to start by default, too little on a
// loaded 2-core machine.
process.env.ACE_TIMEOUT_INITIAL ??= '60000';

const require = createRequire(import.meta.url);
const ace = require('@daisy/ace-core');
const axeRunner = require('@daisy/ace-axe-runner-puppeteer');

/** The books the EPUBCheck gate leaves behind. */
const BOOKS_DIR = join(REPO_ROOT, 'target', 'tmp', 'epubcheck-gate', 'books');

/** Ace's reports, one folder per book. */
const REPORTS_DIR = join(REPO_ROOT, 'target', 'tmp', 'ace');

/** Impacts that fail the test. Ace also reports moderate and minor ones. */
const FAILING_IMPACTS = ['critical', 'serious'];

/**
 * Returns every failed assertion in an Ace report as
 * `{ impact, rule, location, description }`.
 */
function failedAssertions(report) {
  const found = [];
  const visit = (node, location) => {
    if (Array.isArray(node)) {
      node.forEach((child) => visit(child, location));
      return;
    }
    if (node === null || typeof node !== 'object') {
      return;
    }
    const here = node['earl:testSubject']?.url ?? location;
    if (node['earl:result']?.['earl:outcome'] === 'fail' && node['earl:test']) {
      const pointer = node['earl:result']['earl:pointer']?.css?.join(' ') ?? '';
      found.push({
        impact: node['earl:test']['earl:impact'],
        rule: node['earl:test']['dct:title'],
        location: pointer ? `${here} ${pointer}` : here,
        description: node['earl:result']['dct:description'],
      });
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'earl:result' && key !== 'earl:test') {
        visit(value, here);
      }
    }
  };
  visit(report.assertions ?? [], '');
  return found;
}

test('Ace finds no critical or serious violation', async (t) => {
  assert.ok(
    existsSync(BOOKS_DIR),
    `${BOOKS_DIR} is missing; run \`cargo test --test epubcheck_gate\` first, which builds the books`,
  );
  const books = (await readdir(BOOKS_DIR)).filter((name) => name.endsWith('.epub')).sort();
  assert.ok(books.length > 0, `no EPUB in ${BOOKS_DIR}; run \`cargo test --test epubcheck_gate\` first`);
  await rm(REPORTS_DIR, { recursive: true, force: true });

  const failures = [];
  for (const book of books) {
    const outdir = join(REPORTS_DIR, book.replace(/\.epub$/, ''));
    const [, report] = await ace(
      join(BOOKS_DIR, book),
      { cwd: REPO_ROOT, outdir, initLogger: true, silent: true },
      axeRunner,
    );
    const failed = failedAssertions(report);
    const counts = {};
    for (const { impact } of failed) {
      counts[impact] = (counts[impact] ?? 0) + 1;
    }
    t.diagnostic(`${book}: ${JSON.stringify(counts)}; report in ${outdir}`);
    for (const assertion of failed.filter(({ impact }) => FAILING_IMPACTS.includes(impact))) {
      failures.push(`${book}: ${assertion.impact} ${assertion.rule} at ${assertion.location}: ${assertion.description}`);
    }
  }
  assert.deepEqual(failures, [], 'Ace found critical or serious violations');
});
