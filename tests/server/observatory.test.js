// Grades nginx.conf with the MDN HTTP Observatory scanner (npm package
// @mdn/mdn-http-observatory), over HTTPS on 127.0.0.1 with a throwaway
// self-signed certificate, and requires grade A+ with every test passed.
//
// Install the scanner first, without its install scripts (they download
// data from outside the npm registry):
//   cd tests/server && npm ci --ignore-scripts

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ensureBuiltSite, startTlsServer } from './lib/nginx.js';

const SCANNER_DIR = fileURLToPath(new URL('./node_modules/@mdn/mdn-http-observatory/', import.meta.url));

/** Time the scanner gets for its handful of requests. */
const SCAN_TIMEOUT_MS = 60_000;

let server;
let scan;

before(async () => {
  if (!existsSync(join(SCANNER_DIR, 'package.json'))) {
    throw new Error(`${SCANNER_DIR} not found; install the scanner with: cd tests/server && npm ci --ignore-scripts`);
  }
  provideEmptyPreloadList();

  server = await startTlsServer(ensureBuiltSite());
  scan = await runScanner(`127.0.0.1:${server.port}`, server.certificatePath);
});

after(async () => {
  await server?.stop();
});

/**
 * Writes an empty HSTS preload list where the scanner reads Chromium's.
 *
 * NOTE: The package's install script downloads that list from GitHub, which
 * `npm ci --ignore-scripts` skips; without the file every scan stops with
 * "ENOENT: no such file or directory, open '.../conf/hsts-preload.json'".
 * The scanner looks up only the scanned host and its parent domains in the
 * list. For 127.0.0.1 those are "127.0.0.1", "0.0.1", "0.1" and "1", and
 * the list contains only domain names under real top-level domains, none of
 * them numeric, so an empty list gives the same grade.
 */
function provideEmptyPreloadList() {
  const preloadList = join(SCANNER_DIR, 'conf', 'hsts-preload.json');
  if (!existsSync(preloadList)) {
    writeFileSync(preloadList, '{}\n');
  }
}

/**
 * Runs the scanner's command-line module on `host` and returns its JSON
 * report, or throws with the scanner's own error message.
 *
 * The module is run directly, not through the package's bin wrapper: the
 * wrapper sets NODE_EXTRA_CA_CERTS to a Mozilla CA bundle (built by the
 * skipped install script), which would replace the test certificate. Without
 * trusting it the scanner fails the redirection test as "invalid certificate".
 */
async function runScanner(host, certificatePath) {
  const child = spawn(process.execPath, [join(SCANNER_DIR, 'src', 'scan.js'), host], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certificatePath },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: SCAN_TIMEOUT_MS,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code, signal] = await new Promise((resolve) => child.once('close', (...args) => resolve(args)));

  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    throw new Error(`the scanner printed no JSON report (code ${code}, signal ${signal}):\n${stdout}\n${stderr}`);
  }
  if (report.error) {
    throw new Error(`the scanner stopped: ${report.error}\n${stderr}`);
  }
  return report;
}

test('grade is A+', (t) => {
  const { grade, score, testsPassed, testsQuantity } = scan.scan;
  t.diagnostic(`grade ${grade}, score ${score}, ${testsPassed} of ${testsQuantity} tests passed`);
  assert.equal(grade, 'A+');
});

test('every Observatory test passes', async (t) => {
  const results = Object.entries(scan.tests);
  assert.equal(results.length, scan.scan.testsQuantity, 'the report must list every test it counted');

  for (const [name, result] of results) {
    await t.test(`${name}: ${result.result} (${result.scoreModifier >= 0 ? '+' : ''}${result.scoreModifier})`, () => {
      assert.ok(result.pass, `${name} failed with ${result.result}`);
    });
  }
});
