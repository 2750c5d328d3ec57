// The WebAssembly builds of the engine, called through their wasm-bindgen glue
// as the page's worker calls it: results come back as plain objects and
// bytes, and every failure as a JavaScript Error carrying the engine's
// message. Run after scripts/build-www.sh: node --test tests/wasm/

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { warmUpBook } from '../../www/warmup.js';

const dist = fileURLToPath(new URL('../../dist/pkg/', import.meta.url));
const engine = await import(`${dist}quire.js`);
engine.initSync({ module: readFileSync(`${dist}quire_bg.wasm`) });

// The module with every feature, which the page's worker loads once the
// service worker has stored it and which converts every book.
const fullDist = fileURLToPath(new URL('../../dist/pkg-full/', import.meta.url));
const fullEngine = await import(`${fullDist}quire.js`);
fullEngine.initSync({ module: readFileSync(`${fullDist}quire_bg.wasm`) });

const encoder = new TextEncoder();

/** Reads the entries of a zip archive by walking its local file headers. */
function unzip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = new Map();
  let offset = 0;
  while (view.getUint32(offset, true) === 0x04034b50) {
    const method = view.getUint16(offset + 8, true);
    const size = view.getUint32(offset + 18, true);
    const nameLength = view.getUint16(offset + 26, true);
    const extraLength = view.getUint16(offset + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(offset + 30, offset + 30 + nameLength));
    const start = offset + 30 + nameLength + extraLength;
    const data = bytes.subarray(start, start + size);
    entries.set(name, new TextDecoder().decode(method === 8 ? inflateRawSync(data) : data));
    offset = start + size;
  }
  return entries;
}
const file = (path, text, modified = 1_700_000_000_000) => ({ path, bytes: encoder.encode(text), modified });
/** Decodes chapter `index`'s body from a result's `bodies` bytes. */
const bodyOf = (result, index) => {
  const { bodyStart, bodyEnd } = result.chapters[index];
  return new TextDecoder().decode(result.bodies.subarray(bodyStart, bodyEnd));
};

test('convert returns the book as bytes and plain objects', () => {
  const result = fullEngine.convert([file('ch.md', '# Hello\n\n![gone](gone.png)\n')], { metadata: { lang: 'en' } });
  assert.ok(result.epub instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(result.epub.subarray(30, 38)), 'mimetype');
  assert.equal(result.title, 'Hello');
  assert.equal(result.fileName, 'Hello.epub');
  assert.equal(result.warnings.length, 1);
  assert.equal(result.warnings[0].file, 'ch.md');
  assert.equal(result.warnings[0].line, 3);
  assert.match(result.warnings[0].text, /^ch\.md:3: warning: image "gone\.png" not found/);
  assert.deepEqual(result.missingFiles, ['gone.png']);
  assert.equal(result.chapters[0].href, 'text/ch.xhtml');
  assert.ok(result.bodies instanceof Uint8Array);
  assert.match(bodyOf(result, 0), /<h1 id="hello">Hello<\/h1>/);
});

test('chapter bodies split at byte ranges', () => {
  const result = fullEngine.convert(
    [file('a.md', '# Café\n\nUn café noir.\n'), file('b.md', '# 東京\n\n右から左: עברית.\n')],
    { metadata: { lang: 'fr' } },
  );
  assert.equal(result.chapters.length, 2);
  assert.equal(result.chapters[0].bodyStart, 0);
  assert.equal(result.chapters[1].bodyStart, result.chapters[0].bodyEnd);
  assert.equal(result.chapters[1].bodyEnd, result.bodies.length);
  assert.match(bodyOf(result, 0), /^<h1 id="caf[^"]*">Café<\/h1>/);
  assert.doesNotMatch(bodyOf(result, 0), /東京/);
  assert.match(bodyOf(result, 1), /<p[^>]*>右から左: עברית\.<\/p>/);
});

test('preview titles follow the summary', () => {
  const result = fullEngine.convert(
    [
      file('SUMMARY.md', '# Summary\n\n- [Getting started](one.md)\n- [Two](two.md)\n'),
      file('one.md', '# Chapter One\n\nText.\n'),
      file('two.md', '# Chapter Two\n\nText.\n'),
    ],
    { metadata: { lang: 'en' } },
  );
  assert.deepEqual(result.chapters.map((chapter) => chapter.title), ['Getting started', 'Two']);
  assert.match(unzip(result.epub).get('EPUB/nav.xhtml'), /<a href="text\/one\.xhtml">Getting started<\/a>/);
});

test('invalid Language field keeps the book language', () => {
  const result = fullEngine.convert([file('ch.md', '---\nlang: fr\n---\n\n# Titre\n\nUn texte.\n')], {
    metadata: { lang: 'deutsch' },
  });
  assert.equal(result.lang, 'fr');
  assert.deepEqual(
    result.warnings.map((warning) => warning.text),
    [
      'ch.md: warning: language "deutsch" from the Language field is not a valid BCP 47 tag such as "en" or "pt-BR"; used "fr" from the metadata block',
    ],
  );
});

test('missing language names the Language field', () => {
  const result = fullEngine.convert([file('ch.md', '# Title\n\nSome text.\n')], {});
  assert.equal(result.lang, 'en');
  assert.deepEqual(
    result.warnings.map((warning) => warning.text),
    [
      'ch.md: warning: no language given; used "en"; set the language with the Language field, a `lang:` line in the metadata, or `language` in book.toml',
    ],
  );
});

test('file times become dcterms:modified', () => {
  const result = fullEngine.convert([file('ch.md', '# Dated\n', 1_000_000_000_000)], { metadata: { lang: 'en' } });
  const opf = unzip(result.epub).get('EPUB/package.opf');
  assert.match(opf, /<meta property="dcterms:modified">2001-09-09T01:46:40Z<\/meta>/);
});

test('engine errors become Error objects with the message', () => {
  assert.throws(
    () => fullEngine.convert([file('notes.md', '')].map((entry) => ({ ...entry, bytes: new Uint8Array([0x63, 0xe9]) })), {}),
    (error) => error instanceof Error && /notes\.md is not valid UTF-8/.test(error.message),
  );
  assert.throws(
    () => fullEngine.convert([], {}),
    (error) => error instanceof Error && /no Markdown chapters found/.test(error.message),
  );
  assert.throws(
    () => fullEngine.convert([file('ch.md', '# A\n')], { metadata: { coverImage: 'cover.png' } }),
    (error) => error instanceof Error && /cover image cover\.png was not found/.test(error.message),
  );
});

test('malformed arguments from the page are rejected, not trapped', () => {
  assert.throws(() => fullEngine.convert('not a list', {}), (error) => error instanceof Error && /invalid file list/.test(error.message));
  assert.throws(
    () => fullEngine.convert([{ path: 'a.md', bytes: 'not bytes' }], {}),
    (error) => error instanceof Error && /invalid file list/.test(error.message),
  );
  assert.throws(
    () => fullEngine.convert([file('a.md', '# A\n')], { tocDepth: 9 }),
    (error) => error instanceof Error && /between 1 and 6/.test(error.message),
  );
  // The module still works after each error.
  assert.equal(fullEngine.convert([file('a.md', '# A\n')], null).title, 'A');
});

test('a book over the page limit gets a message naming the file and limit', () => {
  const big = new Uint8Array(33 * 1024 * 1024).fill(0x61);
  assert.throws(
    () => fullEngine.convert([{ path: 'huge.md', bytes: big, modified: 0 }], {}),
    (error) => error instanceof Error && /huge\.md alone is 33\.0 MB\), over the limit of 32\.0 MB/.test(error.message),
  );
  assert.equal(fullEngine.convert([file('small.md', '# Still works\n')], {}).title, 'Still works');
});

test('style, vertical and cover options reach the book', () => {
  const result = fullEngine.convert([file('ch.md', '# 一\n\n本文。\n')], {
    metadata: { lang: 'ja', title: 'T' },
    style: 'classic',
    vertical: true,
    autoCover: true,
  });
  assert.equal(result.lang, 'ja');
  assert.equal(result.dir, 'ltr');
  assert.equal(result.vertical, true);
  const entries = unzip(result.epub);
  assert.match(entries.get('EPUB/styles/quire.css'), /font-family: serif/);
  assert.match(entries.get('EPUB/styles/quire.css'), /writing-mode: vertical-rl/);
  assert.match(entries.get('EPUB/package.opf'), /properties="cover-image"/);
  assert.match(entries.get('EPUB/images/cover.svg'), /<text [^>]*>T<\/text>/);

  const arabic = fullEngine.convert([file('ch.md', '# كتاب\n')], { metadata: { lang: 'ar' } });
  assert.equal(arabic.dir, 'rtl');
  assert.equal(arabic.vertical, false);
});

test('an unknown style is an error naming the styles', () => {
  assert.throws(
    () => fullEngine.convert([file('a.md', '# A\n')], { style: 'fancy' }),
    (error) => error instanceof Error && /unknown style "fancy"; choose one of plain, classic/.test(error.message),
  );
});

test('the target option reaches the book and names the file', () => {
  const result = fullEngine.convert([file('ch.md', '# One\n\nA sentence. Another.\n')], {
    metadata: { lang: 'en', title: 'Kobo Book' },
    target: 'kobo',
  });
  assert.equal(result.fileName, 'Kobo Book.kepub.epub');
  assert.match(unzip(result.epub).get('EPUB/text/ch.xhtml'), /<span class="koboSpan" id="kobo\.2\.2">Another\.<\/span>/);

  const apple = fullEngine.convert([file('ch.md', '# One\n')], { metadata: { lang: 'en', version: '2.1' }, target: 'apple' });
  assert.equal(apple.fileName, 'One.epub');
  assert.match(unzip(apple.epub).get('EPUB/package.opf'), /<meta property="ibooks:version">2\.1<\/meta>/);

  const none = fullEngine.convert([file('ch.md', '# One\n')], { metadata: { lang: 'en' }, target: '' });
  assert.doesNotMatch(unzip(none.epub).get('EPUB/text/ch.xhtml'), /koboSpan/);
});

test('an unknown target or pixel limit is an error', () => {
  assert.throws(
    () => fullEngine.convert([file('a.md', '# A\n')], { target: 'nook' }),
    (error) => error instanceof Error && /unknown target "nook"; choose one of kindle, apple, kobo, google, legacy/.test(error.message),
  );
  assert.throws(
    () => fullEngine.convert([file('a.md', '# A\n')], { target: 'apple', maxImagePixels: -1 }),
    (error) => error instanceof Error && /pixel limit must be a whole number of at least 1/.test(error.message),
  );
});

test('inspect reports order and metadata', () => {
  const result = engine.inspect(
    [file('b.md', '# B\n'), file('a.md', '---\ntitle: T\nlang: fr\n---\n# A\n'), file('SUMMARY.md', '- [Alpha](a.md)\n- [B](b.md)\n')],
    {},
  );
  assert.equal(result.orderSource, 'summary');
  assert.deepEqual(result.chapters.map((chapter) => chapter.path), ['a.md', 'b.md']);
  assert.deepEqual(result.chapters.map((chapter) => chapter.title), ['Alpha', 'B'], 'the summary titles');
  assert.equal(result.metadata.title, 'T');
  assert.equal(result.metadata.lang, 'fr');
});

test('inspecting files without Markdown is an error, not a trap', () => {
  const png = { path: 'cover.png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) };
  assert.throws(
    () => engine.inspect([png], {}),
    (error) => error instanceof Error && /no Markdown chapters found/.test(error.message),
  );
  assert.equal(engine.takePanicMessage(), undefined);
  assert.equal(engine.inspect([file('a.md', '# A\n')], {}).chapters.length, 1);
});

test('no panic message when nothing panicked', () => {
  assert.equal(engine.takePanicMessage(), undefined);
  assert.match(engine.version(), /^\d+\.\d+\.\d+$/);
});

test('first module inspects but does not convert', () => {
  assert.equal(engine.convert, undefined, 'the first module has no convert');
  assert.equal(engine.check, undefined, 'the first module has no check');
  const options = { metadata: { lang: 'en' } };
  const code = engine.inspect([file('ch.md', '# C\n\n```rust\nfn main() {}\n```\n')], options);
  assert.equal(code.needsFullEngine, true, 'a code block with a language');
  assert.deepEqual(code.chapters, [{ path: 'ch.md', title: 'C' }]);
  const plain = engine.inspect([file('ch.md', '# P\n\nIt costs $5 and $10.\n')], options);
  assert.equal(plain.needsFullEngine, false);
});

test('full engine writes MathML and highlighted code', () => {
  const markdown = '# M\n\nArea $\\pi r^2$.\n\n```rust\nfn main() {}\n```\n';
  const result = fullEngine.convert([file('ch.md', markdown)], { metadata: { lang: 'en' } });
  assert.equal(result.needsFullEngine, false);
  assert.deepEqual(result.warnings, []);
  const body = bodyOf(result, 0);
  assert.match(body, /<math xmlns="http:\/\/www\.w3\.org\/1998\/Math\/MathML" display="inline" alttext="\\pi r\^2">/);
  assert.match(body, /<span class="hl-kw">fn<\/span> main/);
  const entries = unzip(result.epub);
  assert.match(entries.get('EPUB/package.opf'), /href="text\/ch\.xhtml" media-type="application\/xhtml\+xml" properties="mathml"/);
  assert.match(entries.get('EPUB/styles/quire.css'), /\.hl-kw \{ color: #[0-9a-f]{6}; \}/);
});

test('warm-up book converts cleanly with every feature', () => {
  const result = fullEngine.convert(warmUpBook(), {});
  assert.deepEqual(result.warnings, [], 'the worker converts it on every page load');
  assert.equal(result.title, 'Warming up');
  assert.equal(result.lang, 'en');
  assert.equal(result.chapters.length, 7);
  const first = bodyOf(result, 0);
  assert.match(first, /<span class="hl-kw">fn<\/span> count_words/, 'the anchored include, highlighted');
  assert.doesNotMatch(first, /ANCHOR/);
  assert.match(first, /<figcaption>Listing 1-1: the words, counted — see “<a href="#first-steps">/, 'raw HTML with entities');
  assert.match(first, /<a href="https:\/\/doc\.rust-lang\.org\/std\/" title="The standard library">/);
  assert.deepEqual(
    result.images.map((image) => image.path).sort(),
    ['src/img/diagram-1.svg', 'src/img/diagram-2.svg', 'src/img/diagram-3.svg', 'src/img/diagram-4.svg',
      'src/img/diagram-5.svg', 'src/img/diagram-6.svg', 'src/img/pixels.png'],
  );
  const entries = unzip(result.epub);
  assert.ok(entries.get('EPUB/text/long.xhtml').length > 32 * 1024, "the long chapter fills deflate's window");
  assert.ok(!result.missingFiles?.length, `missing: ${result.missingFiles}`);
});

test('second conversion matches a fresh engine', async () => {
  // The worker's engine keeps each deflated entry and each document's
  // check from one conversion for the next. An entry whose bytes changed
  // must be made again, even when its length is the same.
  const picture = (fill) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="${fill}"/></svg>\n`;
  const book = (fill, words) => [
    file('SUMMARY.md', '# Summary\n\n- [One](one.md)\n- [Two](two.md)\n'),
    file('one.md', `# One\n\n![A square](square.svg)\n\nSee [two](two.md#two).\n`),
    file('two.md', `# Two\n\n${words}\n`),
    file('square.svg', picture(fill)),
  ];
  const options = { metadata: { lang: 'en' } };
  fullEngine.convert(book('#ff0000', 'First words.'), options);
  const again = fullEngine.convert(book('#ff0000', 'First words.'), options);
  const changed = fullEngine.convert(book('#0000ff', 'Other words.'), options);

  const fresh = await import(`${fullDist}quire.js?fresh`);
  fresh.initSync({ module: readFileSync(`${fullDist}quire_bg.wasm`) });
  assert.deepEqual(again.epub, fresh.convert(book('#ff0000', 'First words.'), options).epub);
  assert.deepEqual(changed.epub, fresh.convert(book('#0000ff', 'Other words.'), options).epub);
  const entries = unzip(changed.epub);
  assert.equal(entries.get('EPUB/images/square.svg'), picture('#0000ff'));
  assert.match(entries.get('EPUB/text/two.xhtml'), /<p>Other words\.<\/p>/);
  assert.deepEqual(changed.warnings, []);
});
