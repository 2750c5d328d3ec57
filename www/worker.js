// The engine's module worker. It compiles the WebAssembly module once, then
// runs `inspect`, `convert` and `check` requests one at a time, so the page stays
// responsive while a large book converts. The page cancels a request by
// terminating this worker and starting another.
//
// The first module (pkg/) only inspects books: it reads the chapter order,
// titles and metadata, which keeps the first load small. The module with
// every feature (pkg-full/: the converter with math and highlighting, and
// the EPUB checker) starts loading when the page requests a warm-up or
// with the first inspection, whichever comes first. It takes every request
// from the first conversion or check on. Each book it makes is checked
// inside its `convert`.
//
// The page may also ask the worker to warm up, once the service worker has
// stored the full module: the worker then loads it and converts a small
// built-in book (warmup.js) a few times while no request waits. WebAssembly
// starts on baseline code and the browser optimises a function only once it
// has run a while, so without this the reader's first conversion runs on
// slow code, and compiles every function it calls on the way.
//
// Messages from the page: { id, kind: 'inspect' | 'convert' | 'check', files, options },
// where each file is { key, path, file: Blob, modified }, and a check has
// one file, the EPUB. `files` is null when it is the previous request's
// list. And { kind: 'warm-up' }, without an id or a reply.
// Messages to the page:
//   { type: 'ready', version }
//   { type: 'warmed-up' }                     (the built-in book converted)
//   { type: 'load-failed', reason, detail }   (reason is a key of LOAD_FAILURES in messages.js)
//   { id, type: 'progress', phase: 'converting' | 'loading-full-engine' }
//   { id, type: 'result', result }
//   { id, type: 'failed', message }           (the engine rejected the book)
//   { id, type: 'crashed', message }          (the engine panicked and is unusable)

import * as firstEngine from './pkg/quire.js';
import { warmUpBook } from './warmup.js';

const WASM_URL = new URL('./pkg/quire_bg.wasm', import.meta.url);
const FULL_GLUE_URL = new URL('./pkg-full/quire.js', import.meta.url);
const FULL_WASM_URL = new URL('./pkg-full/quire_bg.wasm', import.meta.url);

/** The glue of the started module that requests go to. */
let engine = firstEngine;

/** The load of the module with every feature, once started: a promise of its glue. */
let fullEngine = null;

/** Whether that module has loaded and started, so a conversion need not wait. */
let fullEngineStarted = false;

/** Each input file's bytes by the page's key for it, kept between requests. */
const bytesByKey = new Map();

/** The file list of the last request that had one. */
let lastFiles = [];

/** Set after a failed load, or after a panic, which may leave the module's memory inconsistent. */
let crashed = false;

/** The chain of requests, so they run in the order the page sent them. */
let queue = loadEngine();

/** Requests received and not yet replied to. Warming up stops while there are any. */
let waiting = 0;

/** Whether warming up has started, so it runs once in each worker. */
let warmUpStarted = false;

/**
 * Conversions of the built-in book when warming up, about 0.4 s in all.
 * In headless Chromium the Rust book's first conversion took 2.5 times as
 * long as later ones without warming up, and 1.2 times with 12 rounds;
 * 24 rounds did no better (docs/benchmarks.md).
 */
const WARM_UP_ROUNDS = 12;

self.addEventListener('message', (event) => {
  if (event.data?.kind === 'warm-up') {
    warmUp();
    return;
  }
  waiting += 1;
  queue = queue
    .then(() => handleRequest(event.data))
    .finally(() => {
      waiting -= 1;
    });
});

async function loadEngine() {
  try {
    await startModule(firstEngine, WASM_URL);
    self.postMessage({ type: 'ready', version: firstEngine.version() });
  } catch (error) {
    const failure = error instanceof LoadFailure ? error : new LoadFailure('start', error);
    self.postMessage({ type: 'load-failed', reason: failure.reason, detail: failure.message });
    // Requests queued behind a failed load must not run.
    crashed = true;
  }
}

class LoadFailure extends Error {
  constructor(reason, cause) {
    super(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    this.reason = reason;
  }
}

/** Compiles the module at `wasmUrl` and starts it through its glue. */
async function startModule(glue, wasmUrl) {
  const module = await compileModule(wasmUrl);
  try {
    await glue.default({ module_or_path: module });
  } catch (error) {
    // The module compiled but did not link or start, as when the glue and
    // the .wasm file come from different builds.
    throw new LoadFailure('wasm-invalid', error);
  }
}

/**
 * Starts loading the module with every feature, unless it is loading or
 * loaded, and returns the promise of its glue. A failed load is forgotten,
 * so the next book tries again.
 */
function loadFullEngine() {
  fullEngine ??= (async () => {
    let glue;
    try {
      glue = await import(FULL_GLUE_URL.href);
    } catch (error) {
      throw new LoadFailure('network', error);
    }
    await startModule(glue, FULL_WASM_URL);
    fullEngineStarted = true;
    return glue;
  })().catch((error) => {
    fullEngine = null;
    throw error;
  });
  return fullEngine;
}

/**
 * Loads the full module and converts the built-in book with it, between
 * requests: each round is one task, and rounds stop as soon as a request
 * arrives. A failed load is left for a conversion to report.
 */
async function warmUp() {
  if (warmUpStarted || crashed) {
    return;
  }
  warmUpStarted = true;
  let glue;
  try {
    glue = await loadFullEngine();
  } catch {
    return;
  }
  const book = warmUpBook();
  for (let round = 0; round < WARM_UP_ROUNDS; round += 1) {
    if (waiting > 0 || crashed) {
      return;
    }
    try {
      glue.convert(book, {});
    } catch (error) {
      // The built-in book converts cleanly in the tests, so this is a bug.
      // A conversion with the same module reports it to the reader.
      console.error(`Quire could not warm up its engine: ${error?.message ?? error}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  self.postMessage({ type: 'warmed-up' });
}

async function compileModule(wasmUrl) {
  if (typeof WebAssembly !== 'object') {
    throw new LoadFailure('no-webassembly', 'WebAssembly is not defined');
  }

  let response;
  try {
    response = await fetch(wasmUrl);
  } catch (error) {
    throw new LoadFailure('network', error);
  }
  if (!response.ok) {
    throw new LoadFailure('wasm-missing', `HTTP ${response.status} for ${wasmUrl.pathname}`);
  }

  // Streaming compilation requires the application/wasm type. We do not fall
  // back to compiling from an ArrayBuffer, so a misconfigured server is
  // reported instead of silently slowing every load.
  const type = response.headers.get('Content-Type') ?? '';
  try {
    if (typeof WebAssembly.compileStreaming === 'function') {
      return await WebAssembly.compileStreaming(response);
    }
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof TypeError && !type.startsWith('application/wasm')) {
      throw new LoadFailure('wasm-mime', `the server sent ${wasmUrl.pathname} as "${type || 'no type'}"`);
    }
    throw new LoadFailure('wasm-invalid', error);
  }
}

async function handleRequest(request) {
  if (crashed) {
    return;
  }
  const { id, kind, options } = request;
  const files = request.files ?? lastFiles;
  lastFiles = files;

  let inputs;
  try {
    inputs = await readFiles(files);
  } catch (error) {
    self.postMessage({ id, type: 'failed', message: error.message });
    return;
  }

  if (kind === 'convert') {
    self.postMessage({ id, type: 'progress', phase: 'converting' });
  }
  try {
    if (kind === 'convert') {
      const result = await convertBook(id, inputs, options);
      self.postMessage({ id, type: 'result', result }, transferableBuffers(result));
    } else if (kind === 'check') {
      engine = await loadFullEngine();
      self.postMessage({ id, type: 'result', result: engine.check(inputs[0].bytes) });
    } else {
      const result = engine.inspect(inputs, options);
      // Loads while the user reviews the book; a failure shows when converting.
      loadFullEngine().catch(() => {});
      self.postMessage({ id, type: 'result', result });
    }
  } catch (error) {
    // Release builds abort on panic, which reaches JavaScript as a trap.
    if (error instanceof WebAssembly.RuntimeError) {
      crashed = true;
      const message = engine.takePanicMessage() ?? `Quire stopped on an internal error: ${error.message}`;
      self.postMessage({ id, type: 'crashed', message });
      return;
    }
    self.postMessage({ id, type: 'failed', message: error?.message ?? String(error) });
  }
}

/**
 * Converts a book with the module that has every feature, after waiting
 * for it to load. When it cannot load (the page is offline and has not
 * cached it, say), the request fails with a message that names the cause.
 */
async function convertBook(id, inputs, options) {
  if (engine === firstEngine) {
    if (!fullEngineStarted) {
      self.postMessage({ id, type: 'progress', phase: 'loading-full-engine' });
    }
    try {
      engine = await loadFullEngine();
    } catch (error) {
      const failure = error instanceof LoadFailure ? error : new LoadFailure('start', error);
      throw new Error(
        `the converter could not be loaded (${failure.message}); ` +
          'reload the page while online, then make the EPUB again',
      );
    }
    self.postMessage({ id, type: 'progress', phase: 'converting' });
  }
  return engine.convert(inputs, options);
}

/** Reads each file's bytes, reusing those read for an earlier request. */
async function readFiles(files) {
  const requestedKeys = new Set(files.map((file) => file.key));
  for (const key of bytesByKey.keys()) {
    if (!requestedKeys.has(key)) {
      bytesByKey.delete(key);
    }
  }

  return Promise.all(
    files.map(async ({ key, path, file, modified }) => {
      let bytes = bytesByKey.get(key);
      if (!bytes) {
        try {
          bytes = new Uint8Array(await file.arrayBuffer());
        } catch (error) {
          throw new Error(
            `${path} could not be read (${error.name}); it may have been moved or changed since you added it, so add it again`,
          );
        }
        bytesByKey.set(key, bytes);
      }
      return { path, bytes, modified };
    }),
  );
}

/**
 * Returns the buffers of the EPUB and of the chapters' bodies, each copied
 * first if its bytes are a view into a larger buffer.
 */
function transferableBuffers(result) {
  return ['epub', 'bodies'].map((field) => {
    const bytes = result[field];
    if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) {
      result[field] = bytes.slice();
    }
    return result[field].buffer;
  });
}
