// The engine's module worker. It compiles the WebAssembly module once, then
// runs `inspect`, `convert` and `check` requests one at a time, so the page stays
// responsive while a large book converts. The page cancels a request by
// terminating this worker and starting another.
//
// Messages from the page: { id, kind: 'inspect' | 'convert' | 'check', files, options },
// where each file is { key, path, file: Blob, modified }, and a check has
// one file, the EPUB.
// Messages to the page:
//   { type: 'ready', version }
//   { type: 'load-failed', reason, detail }   (reason is a key of LOAD_FAILURES in messages.js)
//   { id, type: 'progress', phase: 'converting' }
//   { id, type: 'result', result }
//   { id, type: 'failed', message }           (the engine rejected the book)
//   { id, type: 'crashed', message }          (the engine panicked and is unusable)

import init, { convert, inspect, takePanicMessage, version } from './pkg/quire.js';

const WASM_URL = new URL('./pkg/quire_bg.wasm', import.meta.url);

/**
 * The engine built with the EPUB checker, a larger second module that is
 * loaded on the first check, as a promise of its exports.
 */
let checker = null;

/** Each input file's bytes by the page's key for it, kept between requests. */
const bytesByKey = new Map();

/** Set after a failed load, or after a panic, which may leave the module's memory inconsistent. */
let crashed = false;

/** The chain of requests, so they run in the order the page sent them. */
let queue = loadEngine();

self.addEventListener('message', (event) => {
  queue = queue.then(() => handleRequest(event.data));
});

async function loadEngine() {
  try {
    const module = await compileModule();
    try {
      await init({ module_or_path: module });
    } catch (error) {
      // The module compiled but did not link or start, as when pkg/quire.js
      // and the .wasm file come from different builds.
      throw new LoadFailure('wasm-invalid', error);
    }
    self.postMessage({ type: 'ready', version: version() });
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

async function compileModule() {
  if (typeof WebAssembly !== 'object') {
    throw new LoadFailure('no-webassembly', 'WebAssembly is not defined');
  }

  let response;
  try {
    response = await fetch(WASM_URL);
  } catch (error) {
    throw new LoadFailure('network', error);
  }
  if (!response.ok) {
    throw new LoadFailure('wasm-missing', `HTTP ${response.status} for ${WASM_URL.pathname}`);
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
      throw new LoadFailure('wasm-mime', `the server sent ${WASM_URL.pathname} as "${type || 'no type'}"`);
    }
    throw new LoadFailure('wasm-invalid', error);
  }
}

async function handleRequest(request) {
  if (crashed) {
    return;
  }
  const { id, kind, files, options } = request;

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
      const result = convert(inputs, options);
      await addFindings(result);
      self.postMessage({ id, type: 'result', result }, [transferableBuffer(result)]);
    } else if (kind === 'check') {
      const { check } = await loadChecker();
      self.postMessage({ id, type: 'result', result: check(inputs[0].bytes) });
    } else {
      self.postMessage({ id, type: 'result', result: inspect(inputs, options) });
    }
  } catch (error) {
    // Release builds abort on panic, which reaches JavaScript as a trap.
    if (error instanceof WebAssembly.RuntimeError) {
      crashed = true;
      const message = takePanicMessage() ?? `Quire stopped on an internal error: ${error.message}`;
      self.postMessage({ id, type: 'crashed', message });
      return;
    }
    self.postMessage({ id, type: 'failed', message: error?.message ?? String(error) });
  }
}

/** Loads the module with the checker once, and returns its exports. */
function loadChecker() {
  checker ??= (async () => {
    const module = await import('./pkg-check/quire.js');
    await module.default({ module_or_path: new URL('./pkg-check/quire_bg.wasm', import.meta.url) });
    return module;
  })();
  // A failed load is tried again on the next request.
  checker.catch(() => {
    checker = null;
  });
  return checker;
}

/**
 * Checks the book just made and adds the findings to its warnings. A
 * finding is a bug in Quire, so the book is still offered.
 */
async function addFindings(result) {
  let findings;
  try {
    ({ findings } = (await loadChecker()).check(result.epub));
  } catch (error) {
    // A module that trapped cannot be trusted again, so the next check
    // loads a fresh one.
    if (error instanceof WebAssembly.RuntimeError) {
      checker = null;
    }
    const message = `the EPUB checker could not run (${error?.message ?? error}); the book was made but not checked`;
    result.warnings.push({ file: result.fileName, line: null, message, text: `${result.fileName}: warning: ${message}` });
    return;
  }
  for (const finding of findings) {
    const message = `${finding.severity} ${finding.code}: ${finding.message} (the EPUB checker found this in the book Quire made; please report it as a bug)`;
    result.warnings.push({ file: finding.file, line: finding.line ?? null, message, text: finding.text });
  }
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

/** Returns the EPUB's buffer, copied first if the bytes are a view into a larger one. */
function transferableBuffer(result) {
  const epub = result.epub;
  if (epub.byteOffset !== 0 || epub.byteLength !== epub.buffer.byteLength) {
    result.epub = epub.slice();
  }
  return result.epub.buffer;
}
