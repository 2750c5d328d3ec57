// The EPUB checker through the WebAssembly module built with every feature
// (pkg-full), as the page's worker calls it. Run after
// scripts/build-www.sh: node --test tests/wasm/

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/pkg-full/', import.meta.url));
const engine = await import(`${dist}quire.js`);
engine.initSync({ module: readFileSync(`${dist}quire_bg.wasm`) });

const encoder = new TextEncoder();
const book = () =>
  engine.convert([{ path: 'ch.md', bytes: encoder.encode('# Hello\n\nText.\n'), modified: 1_700_000_000_000 }], {
    metadata: { lang: 'en' },
  });

test('check finds nothing in a book Quire made', () => {
  const result = engine.check(book().epub);
  assert.deepEqual(result.findings, []);
  assert.equal(result.hasErrors, false);
});

test('check reports a file that is not a zip', () => {
  const result = engine.check(encoder.encode('not an EPUB'));
  assert.equal(result.hasErrors, true);
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0].code, 'PKG-008');
  assert.equal(result.findings[0].severity, 'fatal');
  assert.match(result.findings[0].text, /fatal PKG-008: /);
});

test('check reports a damaged mimetype with its file', () => {
  const epub = book().epub.slice();
  // The mimetype's text starts at byte 38, after the 30-byte local header
  // and the 8-byte name.
  epub.set(encoder.encode('application/epub+zap'), 38);
  const result = engine.check(epub);
  assert.equal(result.hasErrors, true);
  const finding = result.findings.find((item) => item.code === 'PKG-007');
  assert.ok(finding, JSON.stringify(result.findings));
  assert.equal(finding.file, 'mimetype');
});

test('convert lists no checker finding among the warnings', () => {
  const warnings = book().warnings;
  assert.ok(!warnings.some((warning) => warning.message.includes('EPUB checker')), JSON.stringify(warnings));
});
