// The benchmark. It converts the Rust book with pandoc and with Quire's
// command-line tool, converts it on the page in headless Chromium, and
// converts books of 1, 10 and 100 MB with both tools. It measures the
// page's download size, prints every figure with the targets it meets or
// misses, and writes target/bench/results.json and docs/benchmarks.svg.
//
// bench/run.sh builds and installs what this needs, then runs it. The
// settings are environment variables, listed in SETTINGS below.
// `node bench/run.mjs --chart-only` redraws docs/benchmarks.svg from
// target/bench/results.json without measuring.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { freemem, loadavg } from 'node:os';
import { join } from 'node:path';

import { RUST_BOOK, filesUnder, photoBook, repeatedBook, rustBookChapters, totalBytes } from './lib/books.mjs';
import { scalingChart } from './lib/chart.mjs';
import { measure, measureInRounds } from './lib/measure.mjs';
import { PANDOC, QUIRE_CLI, REPO_ROOT, WORK_DIR } from './lib/paths.mjs';

const MB = 1_000_000;
const KB = 1_000;

const SETTINGS = {
  /** Rounds on the Rust book: each runs Quire three times and each pandoc reader once. */
  runs: numberSetting('BENCH_RUNS', 5),
  /** Runs of Quire on each larger book. pandoc runs once on each. */
  scaleRuns: numberSetting('BENCH_SCALE_RUNS', 3),
  /** Fresh browser profiles, each with one first conversion. */
  sessions: numberSetting('BENCH_SESSIONS', 5),
  /** Conversions after the first in each browser profile. */
  warmRuns: numberSetting('BENCH_WARM_RUNS', 5),
  /** Maximum time of one pandoc run, in seconds. */
  pandocTimeout: numberSetting('BENCH_PANDOC_TIMEOUT', 600),
  /** Sizes of the larger books, in MB of Markdown. */
  sizes: (process.env.BENCH_SIZES ?? '1,10,100').split(',').map(Number),
};

/** Targets the project has set, each checked against this run's figures. */
const TARGETS = {
  speedupOverPandoc: 100,
  firstRunSeconds: 0.3,
  warmSeconds: 0.1,
  peakPerInputByte: 4,
  /** Maximum growth of time or memory for ten times the Markdown that still counts as linear. */
  tenfoldGrowth: 12,
  wasmGzipBytes: 350 * KB,
};

/** Maximum time of one Quire run, in seconds, far above any seen. */
const QUIRE_TIMEOUT_SECONDS = 600;

/**
 * Runs of Quire on the Rust book in each round, before the pandoc runs of
 * that round. Quire's runs are short, so more of them cost little.
 */
const QUIRE_RUNS_PER_ROUND = 3;

/** The book of photos: this many chapters, each with one PNG this many pixels wide and high (about 1 MB). */
const PHOTO_COUNT = 40;
const PHOTO_SIDE = 600;

/** Share of the memory available before a pandoc run that its projected peak may use. */
const PANDOC_MEMORY_SHARE = 0.75;

const OUT_DIR = join(WORK_DIR, 'out');
const BOOKS_DIR = join(WORK_DIR, 'books');
const RESULTS_PATH = join(WORK_DIR, 'results.json');
const CHART_PATH = join(REPO_ROOT, 'docs', 'benchmarks.svg');

function numberSetting(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    return fallback;
  }
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(`${name} must be a whole number of at least 1, not "${value}"`);
  }
  return number;
}

async function main() {
  // Redraws the chart from the last run's results, to change the chart
  // without measuring again.
  if (process.argv.includes('--chart-only')) {
    writeFileSync(CHART_PATH, drawChart(JSON.parse(readFileSync(RESULTS_PATH, 'utf8'))));
    print(`Wrote ${CHART_PATH} from ${RESULTS_PATH}.`);
    return;
  }

  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const results = { settings: SETTINGS, machine: describeMachine(), versions: describeVersions() };
  printMachine(results);

  // Measures the page and its download alone, to try a change to the page
  // or its modules. The results file and the chart stay as they are.
  if (process.argv.includes('--page-only')) {
    results.page = await benchmarkPage();
    results.wasm = measureWasm();
    return;
  }

  results.rustBook = benchmarkRustBook();
  results.page = await benchmarkPage();
  results.scaling = benchmarkScaling();
  results.photos = benchmarkPhotos();
  results.wasm = measureWasm();
  results.machine.loadAverageAtEnd = loadavg();
  print(`\nLoad average at the end: ${formatLoad(results.machine.loadAverageAtEnd)}`);

  results.targets = checkTargets(results);
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(CHART_PATH, drawChart(results));
  print(`\nWrote ${RESULTS_PATH} and ${CHART_PATH}.`);
}

// The machine

function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    memTotalBytes: Number(/^MemTotal:\s*(\d+) kB$/m.exec(meminfo)[1]) * 1024,
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    loadAverageAtStart: loadavg(),
  };
}

function describeVersions() {
  // Debian's chromium wrapper script prints a shell error on stderr on this
  // machine, which has nothing to do with the version.
  const firstLine = (command, args) =>
    execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]
      .trim();
  const playwright = JSON.parse(
    readFileSync(join(REPO_ROOT, 'tests', 'e2e', 'node_modules', 'playwright-core', 'package.json'), 'utf8'),
  );
  return {
    quire: firstLine(QUIRE_CLI, ['--version']),
    pandoc: firstLine(PANDOC, ['--version']),
    chromium: firstLine('/usr/bin/chromium', ['--version']),
    node: process.version,
    playwrightCore: playwright.version,
  };
}

function printMachine({ machine, versions }) {
  print('Quire benchmark');
  print(`Machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${formatBytes(machine.memTotalBytes)} of memory, Linux ${machine.kernel}`);
  print(`Load average at the start: ${formatLoad(machine.loadAverageAtStart)}`);
  print(`Tools: ${versions.quire}; ${versions.pandoc}; ${versions.chromium}; Node ${versions.node}; playwright-core ${versions.playwrightCore}`);
  print('Sizes are decimal: 1 MB = 1,000,000 bytes. Times are wall-clock.');
}

// The Rust book with each command-line tool

function benchmarkRustBook() {
  const src = join(RUST_BOOK, 'src');
  const chapters = rustBookChapters();
  const markdownBytes = totalBytes(chapters.map((chapter) => join(src, chapter)));
  const imageBytes = totalBytes(filesUnder(join(src, 'img')));
  const folderBytes = totalBytes(filesUnder(RUST_BOOK));

  print(
    `\n== The Rust book (tests/corpus/rust-book), medians of ${runs(SETTINGS.runs)} of each pandoc reader ` +
      `and ${runs(SETTINGS.runs * QUIRE_RUNS_PER_ROUND)} of Quire ==`,
  );
  print(
    `${chapters.length} chapters, ${formatBytes(markdownBytes)} of Markdown, ${formatBytes(imageBytes)} of images; ` +
      `the folder Quire reads holds ${formatBytes(folderBytes)} (the listings its includes name are part of it)`,
  );
  print(
    `Each round runs Quire ${QUIRE_RUNS_PER_ROUND} times, then each pandoc reader once, ` +
      'so that a change in the machine\'s speed touches every tool alike',
  );

  // What a pandoc user does with an mdBook: the chapters in SUMMARY.md
  // order, images found from src/, and a title for the package document.
  const pandocCommand = (name, readerArgs) => ({
    name,
    command: PANDOC,
    args: [
      ...readerArgs,
      '--resource-path=.',
      '--metadata',
      'title=The Rust Programming Language',
      '-o',
      join(OUT_DIR, `pandoc-${name}-rust-book.epub`),
      ...chapters,
    ],
    cwd: src,
    timeoutSeconds: SETTINGS.pandocTimeout,
  });
  const measured = measureInRounds(
    [
      {
        name: 'quire',
        command: QUIRE_CLI,
        args: [RUST_BOOK, '-o', join(OUT_DIR, 'quire-rust-book.epub')],
        cwd: REPO_ROOT,
        timeoutSeconds: QUIRE_TIMEOUT_SECONDS,
        perRound: QUIRE_RUNS_PER_ROUND,
      },
      pandocCommand('markdown', []),
      pandocCommand('gfm', ['-f', 'gfm']),
    ],
    SETTINGS.runs,
  );
  const { quire, ...pandocRuns } = measured;
  printRun('quire (folder)', quire);
  for (const [name, result] of Object.entries(pandocRuns)) {
    printRun(`pandoc -f ${name}`, result);
  }

  const speedups = {};
  for (const [name, result] of Object.entries(pandocRuns)) {
    if (!quire.failed && !result.failed) {
      speedups[name] = result.seconds / quire.seconds;
      print(`Quire is ${speedups[name].toFixed(1)}x faster than pandoc -f ${name}`);
    }
  }
  return { chapters: chapters.length, markdownBytes, imageBytes, folderBytes, quire, pandoc: pandocRuns, speedups };
}

// The page in Chromium

async function benchmarkPage() {
  const { measurePage } = await import('./lib/browser.mjs');
  print(
    `\n== The page in headless Chromium: the Rust book folder, ${SETTINGS.sessions} fresh profiles, ` +
      `${SETTINGS.warmRuns} more conversions in each ==`,
  );
  const page = await measurePage({ sessions: SETTINGS.sessions, warmRuns: SETTINGS.warmRuns });

  const { transfer } = page;
  print(
    `First load: ${transfer.responses} responses, ${formatBytes(transfer.bodyBytes)} of bodies as sent (nginx access log) ` +
      `+ ${formatBytes(transfer.headerBytes)} of headers (as Chromium reports them) = ` +
      `${formatBytes(transfer.bodyBytes + transfer.headerBytes)}; each URL once: ${formatBytes(transfer.distinctBodyBytes)} of bodies ` +
      '(the rest is the service worker precaching the same files)',
  );
  for (const [label, times] of [
    ['first conversion', page.firstRun],
    ['later conversions', page.warm],
  ]) {
    print(
      `${label}: median ${formatSeconds(times.inPageMedian / 1000)} from the click on Make EPUB to the download, ` +
        `measured in the page (${times.inPage.map((ms) => formatSeconds(ms / 1000)).join(', ')}); ` +
        `${formatSeconds(times.playwrightMedian / 1000)} as Playwright sees it`,
    );
  }
  if (page.problems.length > 0) {
    print(`The page recorded problems while converting:\n  ${page.problems.join('\n  ')}`);
  }

  const { measureEngine } = await import('./lib/engine.mjs');
  print(
    `\n== The page's full module in Node, without the page: the Rust book, ${SETTINGS.warmRuns * SETTINGS.sessions} ` +
      'conversions each way after warming up ==',
  );
  page.engine = await measureEngine({ runs: SETTINGS.warmRuns * SETTINGS.sessions });
  for (const [label, times] of [
    ['the same files again (as in the page above)', page.engine.unchanged],
    ['one chapter edited before each conversion', page.engine.oneChapterEdited],
    ['nothing kept from the conversion before (another book in between)', page.engine.nothingKept],
  ]) {
    print(`${label}: median ${formatSeconds(times.median / 1000)}`);
  }
  return page;
}

// Larger books

function benchmarkScaling() {
  print(
    `\n== Larger books: the Rust book's chapters repeated, without their include lines; ` +
      `Quire ${runs(SETTINGS.scaleRuns)} (median), pandoc -f markdown 1 run, at most ${SETTINGS.pandocTimeout} s ==`,
  );
  const rows = [];
  let previousPandoc = null;
  for (const size of SETTINGS.sizes) {
    const book = repeatedBook(join(BOOKS_DIR, `${size}mb`), size * MB);
    const inputBytes = book.markdownBytes + book.imageBytes;
    print(
      `${size} MB book: ${book.chapters.length} chapters, ${formatBytes(book.markdownBytes)} of Markdown ` +
        `+ ${formatBytes(book.imageBytes)} of images`,
    );

    const quire = measure(QUIRE_CLI, [book.folder, '-o', join(OUT_DIR, `quire-${size}mb.epub`)], {
      cwd: REPO_ROOT,
      runs: SETTINGS.scaleRuns,
      timeoutSeconds: QUIRE_TIMEOUT_SECONDS,
    });
    printRun('  quire', quire, inputBytes);

    const skip = pandocSkipReason(previousPandoc, size);
    let pandoc;
    if (skip) {
      pandoc = { failed: skip, notRun: true };
      print(`  pandoc             not run: ${skip}`);
    } else {
      // rebase_relative_paths makes `../img/` relative to each chapter's
      // folder, as Quire reads it.
      const args = [
        '-f',
        'markdown+rebase_relative_paths',
        '--metadata',
        'title=Repeated Rust book',
        '-o',
        join(OUT_DIR, `pandoc-${size}mb.epub`),
        ...book.chapters,
      ];
      pandoc = measure(PANDOC, args, { cwd: book.folder, runs: 1, timeoutSeconds: SETTINGS.pandocTimeout });
      printRun('  pandoc', pandoc, inputBytes);
      if (!pandoc.failed) {
        previousPandoc = { size, ...pandoc };
      }
    }
    rows.push({ size, chapters: book.chapters.length, markdownBytes: book.markdownBytes, inputBytes, quire, pandoc });
  }
  return rows;
}

// A book of photos

function benchmarkPhotos() {
  const book = photoBook(join(BOOKS_DIR, 'photos'), PHOTO_COUNT, PHOTO_SIDE);
  const inputBytes = book.markdownBytes + book.imageBytes;
  print(
    `\n== A book of photos: ${book.chapters.length} chapters of one sentence and one ${PHOTO_SIDE} x ${PHOTO_SIDE} PNG ` +
      `of noise each (${formatBytes(book.imageBytes)} of images, which deflate cannot shrink); ` +
      `Quire ${runs(SETTINGS.scaleRuns)} (median), pandoc 1 run ==`,
  );
  const quire = measure(QUIRE_CLI, [book.folder, '-o', join(OUT_DIR, 'quire-photos.epub')], {
    cwd: REPO_ROOT,
    runs: SETTINGS.scaleRuns,
    timeoutSeconds: QUIRE_TIMEOUT_SECONDS,
  });
  printRun('  quire', quire, inputBytes);
  const pandoc = measure(PANDOC, ['-o', join(OUT_DIR, 'pandoc-photos.epub'), ...book.chapters], {
    cwd: book.folder,
    runs: 1,
    timeoutSeconds: SETTINGS.pandocTimeout,
  });
  printRun('  pandoc', pandoc, inputBytes);
  return { chapters: book.chapters.length, imageBytes: book.imageBytes, inputBytes, quire, pandoc };
}

/**
 * Returns why pandoc is not run on a book of `size` MB, or null to run it.
 * The projection is proportional to the last size pandoc finished, which
 * is optimistic: from 1 to 10 MB pandoc grew faster than proportionally.
 */
function pandocSkipReason(previous, size) {
  if (!previous) {
    return null;
  }
  const factor = size / previous.size;
  const projectedSeconds = previous.seconds * factor;
  const projectedPeak = previous.peakBytes * factor;
  const available = availableMemoryBytes();
  const measured = `at ${previous.size} MB pandoc took ${formatSeconds(previous.seconds)} and ${formatBytes(previous.peakBytes)}`;
  if (projectedSeconds > SETTINGS.pandocTimeout) {
    return `${measured}, so ${size} MB would take at least ${formatSeconds(projectedSeconds)}, over the ${SETTINGS.pandocTimeout} s limit`;
  }
  if (projectedPeak > available * PANDOC_MEMORY_SHARE) {
    return `${measured}, so ${size} MB would need at least ${formatBytes(projectedPeak)}, over ${PANDOC_MEMORY_SHARE * 100}% of the ${formatBytes(available)} available`;
  }
  return null;
}

function availableMemoryBytes() {
  const match = /^MemAvailable:\s*(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return match ? Number(match[1]) * 1024 : freemem();
}

// The page's size

function measureWasm() {
  const wasm = join(REPO_ROOT, 'dist', 'pkg', 'quire_bg.wasm');
  const rawBytes = statSync(wasm).size;
  const gzipBytes = statSync(`${wasm}.gz`).size;
  print('\n== The WebAssembly module (dist/pkg/quire_bg.wasm) ==');
  print(`${formatBytes(rawBytes)} raw, ${formatBytes(gzipBytes)} gzipped (the .gz nginx sends; ${gzipBytes} bytes)`);
  return { rawBytes, gzipBytes };
}

// Targets

function checkTargets({ rustBook, page, scaling, photos, wasm }) {
  print('\n== Targets ==');
  const checks = [];
  const check = (name, measured, passed) => {
    let verdict = passed ? 'PASS' : 'FAIL';
    if (passed === null) {
      verdict = 'NOT MEASURED';
    }
    checks.push({ name, measured, verdict });
    print(`${verdict.padEnd(12)} ${name}: ${measured}`);
  };

  for (const [reader, speedup] of Object.entries(rustBook.speedups)) {
    check(
      `CLI at least ${TARGETS.speedupOverPandoc}x faster than pandoc -f ${reader} on the Rust book`,
      `${speedup.toFixed(1)}x`,
      speedup >= TARGETS.speedupOverPandoc,
    );
  }
  check(
    `first conversion in Chromium at most ${TARGETS.firstRunSeconds} s`,
    formatSeconds(page.firstRun.inPageMedian / 1000),
    page.firstRun.inPageMedian / 1000 <= TARGETS.firstRunSeconds,
  );
  check(
    `later conversions in Chromium at most ${TARGETS.warmSeconds} s`,
    formatSeconds(page.warm.inPageMedian / 1000),
    page.warm.inPageMedian / 1000 <= TARGETS.warmSeconds,
  );

  const memoryRows = [
    { name: 'the Rust book', inputBytes: rustBook.markdownBytes + rustBook.imageBytes, run: rustBook.quire },
    ...scaling.map((row) => ({ name: `the ${row.size} MB book`, inputBytes: row.inputBytes, run: row.quire })),
    { name: 'the book of photos', inputBytes: photos.inputBytes, run: photos.quire },
  ];
  for (const { name, inputBytes, run } of memoryRows) {
    const ratio = run.failed ? null : run.peakBytes / inputBytes;
    check(
      `CLI peak memory at most ${TARGETS.peakPerInputByte}x the input (Markdown and images) for ${name}`,
      run.failed
        ? run.failed
        : `${formatBytes(run.peakBytes)} for ${formatBytes(inputBytes)}, ${ratio.toFixed(1)}x`,
      ratio === null ? null : ratio <= TARGETS.peakPerInputByte,
    );
  }

  for (let index = 1; index < scaling.length; index += 1) {
    const [smaller, larger] = [scaling[index - 1], scaling[index]];
    if (smaller.quire.failed || larger.quire.failed) {
      check(`CLI linear from ${smaller.size} to ${larger.size} MB`, 'a run failed', null);
      continue;
    }
    // The books grow by their Markdown. Their images stay the same 1.1 MB,
    // so growth against Markdown and images together would read as
    // superlinear even for a tool whose cost per byte of Markdown is flat.
    const sizeGrowth = larger.markdownBytes / smaller.markdownBytes;
    const inputGrowth = larger.inputBytes / smaller.inputBytes;
    const timeGrowth = larger.quire.seconds / smaller.quire.seconds;
    const memoryGrowth = larger.quire.peakBytes / smaller.quire.peakBytes;
    const limit = (TARGETS.tenfoldGrowth / 10) * sizeGrowth;
    check(
      `CLI time and memory linear from ${smaller.size} to ${larger.size} MB (each grows at most ${limit.toFixed(1)}x for ${sizeGrowth.toFixed(1)}x the Markdown)`,
      `time ${timeGrowth.toFixed(1)}x, memory ${memoryGrowth.toFixed(1)}x (Markdown and images grew ${inputGrowth.toFixed(1)}x)`,
      timeGrowth <= limit && memoryGrowth <= limit,
    );
  }

  check(
    `wasm at most ${formatBytes(TARGETS.wasmGzipBytes)} gzipped`,
    formatBytes(wasm.gzipBytes),
    wasm.gzipBytes <= TARGETS.wasmGzipBytes,
  );
  return checks;
}

// The chart

function drawChart({ rustBook, scaling, machine }) {
  const point = (row, run) => ({
    megabytes: row.markdownBytes / MB,
    seconds: run.failed ? null : run.seconds,
    peakMegabytes: run.failed ? null : run.peakBytes / MB,
  });
  const quirePoints = scaling.map((row) => point(row, row.quire));
  const series = [
    { name: 'Quire CLI', points: quirePoints },
    { name: 'pandoc 3.9 (-f markdown)', points: scaling.map((row) => point(row, row.pandoc)) },
  ];

  // A line through Quire's largest book that grows in proportion to size:
  // where Quire's own line is steeper, it grows faster than linear.
  const largest = quirePoints.findLast((candidate) => candidate.seconds !== null);
  if (largest) {
    series.push({
      name: 'proportional to size',
      dashed: true,
      points: quirePoints.map((candidate) => ({
        megabytes: candidate.megabytes,
        seconds: (largest.seconds * candidate.megabytes) / largest.megabytes,
        peakMegabytes: (largest.peakMegabytes * candidate.megabytes) / largest.megabytes,
      })),
    });
  }

  const unfinished = scaling.filter((row) => row.pandoc.failed).map((row) => `${row.size} MB`);
  const note =
    `${machine.nproc} CPUs (${machine.cpuModel}), load average ${machine.loadAverageAtStart[0].toFixed(1)} at the start. ` +
    `The Rust book (${formatBytes(rustBook.markdownBytes)}) is not on the chart.` +
    (unfinished.length > 0 ? ` pandoc not run at ${unfinished.join(', ')}.` : '');
  return scalingChart({ title: 'Converting repeated Rust book chapters: time and peak memory', note, series });
}

// Printing

function printRun(label, result, inputBytes) {
  if (result.failed) {
    print(`${label.padEnd(20)} ${result.failed}`);
    return;
  }
  const perInput = inputBytes ? `, ${(result.peakBytes / inputBytes).toFixed(1)}x the input` : '';
  const all = result.runs.length > 1 ? ` (runs: ${result.runs.map((run) => formatSeconds(run.seconds)).join(', ')})` : '';
  print(`${label.padEnd(20)} ${formatSeconds(result.seconds).padStart(9)}  peak ${formatBytes(result.peakBytes)}${perInput}${all}`);
}

function runs(count) {
  return count === 1 ? '1 run' : `${count} runs`;
}

function formatSeconds(seconds) {
  return seconds < 10 ? `${seconds.toFixed(3)} s` : `${seconds.toFixed(1)} s`;
}

function formatBytes(bytes) {
  if (bytes >= 1000 * MB) {
    return `${(bytes / (1000 * MB)).toFixed(2)} GB`;
  }
  if (bytes >= MB) {
    return `${(bytes / MB).toFixed(1)} MB`;
  }
  return `${(bytes / KB).toFixed(1)} KB`;
}

function formatLoad(load) {
  return load.map((value) => value.toFixed(2)).join(', ');
}

function print(line) {
  process.stdout.write(`${line}\n`);
}

await main();
