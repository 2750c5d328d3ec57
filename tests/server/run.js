// Runs test files with node:test's spec reporter, then prints the closing
// line "N passed, N failed, N skipped" that CI reads. Exits with status 1
// when a test failed or none passed.
//
// Usage: node run.js FILE...

import { dirname, resolve } from 'node:path';
import { run } from 'node:test';
import { spec as SpecReporter } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const testsDir = dirname(fileURLToPath(import.meta.url));
const files = process.argv.slice(2).map((file) => resolve(testsDir, file));
if (files.length === 0) {
  console.error('usage: node run.js FILE...');
  process.exit(2);
}

const counts = { passed: 0, failed: 0, skipped: 0 };
// One file at a time: each starts its own nginx.
const events = run({ files, concurrency: 1 });

// Suites report too, but only tests are counted.
events.on('test:pass', (event) => {
  if (event.details?.type === 'suite') {
    return;
  }
  if (event.skip || event.todo) {
    counts.skipped += 1;
  } else {
    counts.passed += 1;
  }
});
events.on('test:fail', (event) => {
  if (event.details?.type !== 'suite') {
    counts.failed += 1;
  }
});

const output = events.compose(new SpecReporter());
output.pipe(process.stdout);
output.on('end', () => {
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = counts.failed > 0 || counts.passed === 0 ? 1 : 0;
});
