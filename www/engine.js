// The page's side of the engine worker: sends requests, matches replies to
// them, and replaces the worker when a request is cancelled or the engine
// panics. A module that has trapped cannot be trusted with another call, and
// a synchronous `convert` cannot be interrupted, so both cases start a fresh
// worker.

import { createEngineWorker } from './trusted-types.js';

/** The request was cancelled because the worker was replaced. */
export class EngineCancelled extends Error {}

/** The engine rejected the book; the message explains why and what to do. */
export class EngineRejected extends Error {}

/** The engine panicked; the message is the panic's. */
export class EngineCrashed extends Error {}

/** The engine could not start; `reason` is a key of LOAD_FAILURES. */
export class EngineUnavailable extends Error {
  constructor(reason, detail) {
    super(detail ?? reason);
    this.reason = reason;
    this.detail = detail;
  }
}

export class Engine {
  /** The current worker, or null once the engine is unavailable. */
  #worker = null;
  /** Whether the current worker has reported `ready` or `load-failed`. */
  #started = false;
  /** Requests sent to the current worker, by id: { resolve, reject, onProgress, request }. */
  #pending = new Map();
  /** The file list last sent to the current worker, which keeps its inputs for the next request. */
  #filesSent = null;
  #nextId = 1;
  #onReady;
  #onUnavailable;
  #onWarmedUp;
  #warmUpAfter;

  /**
   * Starts the first worker. `onReady(version)` runs each time a worker has
   * loaded the engine; `onUnavailable(EngineUnavailable)` runs when one could not.
   * When `warmUpAfter` resolves to true (the service worker has stored the
   * full module, so loading it downloads nothing more), each worker warms
   * its engine up, and `onWarmedUp()` runs when one has.
   */
  constructor({ onReady, onUnavailable, onWarmedUp = () => {}, warmUpAfter = null }) {
    this.#onReady = onReady;
    this.#onUnavailable = onUnavailable;
    this.#onWarmedUp = onWarmedUp;
    this.#warmUpAfter = warmUpAfter;
    this.#start();
  }

  /**
   * Sends an `inspect` or `convert` request. Resolves with the engine's
   * result; rejects with one of the errors above.
   */
  request(kind, files, options, onProgress = () => {}) {
    if (!this.#worker) {
      return Promise.reject(new EngineUnavailable('start'));
    }
    const id = this.#nextId++;
    const request = { id, kind, files, options };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress, request });
      this.#send(request);
    });
  }

  /**
   * Posts a request to the current worker. A file list identical (the same
   * array) to the last one goes as null, which the worker reads as the same
   * files: cloning a large folder's list for each request is slow.
   */
  #send({ id, kind, files, options }) {
    const same = files === this.#filesSent;
    this.#filesSent = files;
    this.#worker.postMessage({ id, kind, files: same ? null : files, options });
  }

  /** Cancels every request by terminating the worker, and starts a new one. */
  restart() {
    this.#stop(new EngineCancelled('cancelled'));
    this.#start();
  }

  #start() {
    // Browsers without module workers either throw a TypeError here or never
    // read `type` and would later fail on the worker's `import`.
    let readType = false;
    const options = {
      get type() {
        readType = true;
        return 'module';
      },
      name: 'quire-engine',
    };

    let worker;
    try {
      worker = createEngineWorker(options);
    } catch (error) {
      const reason = !readType || error.name === 'TypeError' ? 'no-module-worker' : 'start';
      this.#fail(new EngineUnavailable(reason, `${error.name}: ${error.message}`));
      return;
    }
    if (!readType) {
      worker.terminate();
      this.#fail(new EngineUnavailable('no-module-worker'));
      return;
    }

    this.#worker = worker;
    this.#started = false;
    this.#filesSent = null;
    worker.addEventListener('message', (event) => {
      if (worker === this.#worker) {
        this.#handleMessage(event.data);
      }
    });
    worker.addEventListener('error', (event) => {
      if (worker === this.#worker) {
        this.#handleWorkerError(event);
      }
    });
  }

  #stop(error) {
    this.#worker?.terminate();
    this.#worker = null;
    for (const { reject } of this.#pending.values()) {
      reject(error);
    }
    this.#pending.clear();
  }

  #fail(error) {
    this.#stop(error);
    this.#onUnavailable(error);
  }

  #handleMessage(message) {
    switch (message.type) {
      case 'ready': {
        this.#started = true;
        this.#onReady(message.version);
        const worker = this.#worker;
        this.#warmUpAfter?.then((warmUp) => {
          if (warmUp && worker === this.#worker) {
            worker.postMessage({ kind: 'warm-up' });
          }
        });
        return;
      }
      case 'warmed-up':
        this.#onWarmedUp();
        return;
      case 'load-failed':
        this.#started = true;
        this.#fail(new EngineUnavailable(message.reason, message.detail));
        return;
    }

    const request = this.#pending.get(message.id);
    if (!request) {
      return;
    }
    switch (message.type) {
      case 'progress':
        request.onProgress(message.phase);
        break;
      case 'result':
        this.#pending.delete(message.id);
        request.resolve(message.result);
        break;
      case 'failed':
        this.#pending.delete(message.id);
        request.reject(new EngineRejected(message.message));
        break;
      case 'crashed':
        this.#pending.delete(message.id);
        request.reject(new EngineCrashed(message.message));
        this.#replaceCrashedWorker();
        break;
    }
  }

  /**
   * Starts a new worker in place of one whose engine panicked, and sends it
   * the requests that were waiting behind the one that panicked, such as a
   * conversion pressed while the files were still being inspected.
   */
  #replaceCrashedWorker() {
    const waiting = [...this.#pending.values()];
    this.#worker?.terminate();
    this.#worker = null;
    this.#start();
    // When the new worker could not start, #start has rejected them.
    if (!this.#worker) {
      return;
    }
    for (const { request } of waiting) {
      this.#send(request);
    }
  }

  /** Handles an error the worker did not catch: most often its script failed to load. */
  async #handleWorkerError(event) {
    event.preventDefault();
    if (this.#started) {
      const error = new EngineCrashed(`Quire stopped on an internal error: ${event.message ?? 'unknown error'}`);
      for (const { reject } of this.#pending.values()) {
        reject(error);
      }
      this.#pending.clear();
      this.restart();
      return;
    }

    // A module worker whose script or imports fail to load reports an error
    // event without a message, so ask the server whether the glue is there.
    this.#worker?.terminate();
    this.#worker = null;
    let detail = event.message || undefined;
    try {
      const response = await fetch(new URL('./pkg/quire.js', import.meta.url), { method: 'HEAD' });
      if (!response.ok) {
        detail = `HTTP ${response.status} for pkg/quire.js`;
      }
    } catch (error) {
      detail = `${error.name}: ${error.message}`;
    }
    this.#fail(new EngineUnavailable('worker-script', detail));
  }
}
