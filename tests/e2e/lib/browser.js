// Launches Chromium for one test and records everything that should never
// happen on the page: console errors and warnings, uncaught exceptions,
// failed or rejected requests, Content-Security-Policy and Trusted Types
// violations, and requests to any host other than the test server.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Chromium's flags for every test: headless, and no traffic but to the test server. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  // Host names resolve to nothing except 127.0.0.1, so even a page bug
  // that names another host sends no traffic off this machine.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** The viewport of every page. The README screenshot has its width and the whole page's height. */
export const VIEWPORT = { width: 1280, height: 800 };

/** Name of the function the init script calls for each CSP violation. */
const VIOLATION_BINDING = '__quireE2eReportViolation';

/**
 * Launches Chromium with a fresh profile folder and starts recording
 * problems on every page, worker and service worker of it.
 */
export async function launchBrowser(server) {
  const profileDir = await mkdtemp(join(tmpdir(), 'quire-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
    acceptDownloads: true,
  });

  const session = new BrowserSession(context, profileDir, server);
  await session.startRecording();
  return session;
}

class BrowserSession {
  constructor(context, profileDir, server) {
    this.context = context;
    this.profileDir = profileDir;
    this.server = server;
    /** Everything that makes the test fail, one readable line each. */
    this.problems = [];
    /** Connection failures that the test declared expected, for diagnostics. */
    this.expectedFailures = [];
    this.serverDownExpected = false;
  }

  async startRecording() {
    const { context } = this;

    await context.exposeBinding(VIOLATION_BINDING, (source, violation) => {
      this.problems.push(
        `CSP violation on ${source.frame.url()}: ${violation.effectiveDirective} blocked ` +
          `${violation.blockedURI || '(inline)'} at ${violation.sourceFile}:${violation.lineNumber}` +
          (violation.sample ? ` (sample: ${violation.sample})` : ''),
      );
    });
    await context.addInitScript(reportViolations, VIOLATION_BINDING);

    // Init scripts do not run in workers, and Playwright 1.65 does not pass on
    // the browser's own CSP messages from workers, so each worker gets a
    // listener that turns its violations into console errors.
    const watch = (worker) => worker.evaluate(logWorkerViolations).catch(() => {});
    const watchPage = (page) => page.on('worker', watch);
    context.pages().forEach(watchPage);
    context.on('page', watchPage);
    context.on('serviceworker', watch);

    context.on('console', (message) => this.onConsole(message));
    context.on('weberror', (webError) => {
      const error = webError.error();
      this.problems.push(`uncaught exception on ${webError.page()?.url()}: ${error.stack ?? error.message}`);
    });
    context.on('request', (request) => this.onRequest(request));
    context.on('requestfailed', (request) => this.onRequestFailed(request));
    context.on('response', (response) => {
      if (response.status() >= 400) {
        this.problems.push(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
      }
    });
  }

  onConsole(message) {
    const type = message.type();
    const text = message.text();
    const policyMessage = /content[- ]security[- ]policy|trusted ?type/i.test(text);
    if (type !== 'error' && type !== 'warning' && !policyMessage) {
      return;
    }

    if (this.serverDownExpected && isConnectionRefused(text)) {
      this.expectedFailures.push(`console ${type}: ${text}`);
      return;
    }
    const { url, lineNumber } = message.location();
    const origin = message.worker() ? `worker ${message.worker().url()}` : url;
    const kind = policyMessage ? 'CSP or Trusted Types message' : `console ${type}`;
    this.problems.push(`${kind} from ${origin}:${lineNumber}: ${text}`);
  }

  onRequest(request) {
    const url = request.url();
    if (url.startsWith(`${this.server.origin}/`) || url.startsWith('blob:') || url.startsWith('data:')) {
      return;
    }
    this.problems.push(`request to another host: ${request.method()} ${url}`);
  }

  onRequestFailed(request) {
    const failure = request.failure()?.errorText ?? 'unknown error';
    const line = `${request.method()} ${request.url()} failed: ${failure}`;
    if (this.serverDownExpected && isConnectionRefused(failure)) {
      this.expectedFailures.push(line);
      return;
    }
    this.problems.push(`request failed: ${line}`);
  }

  /**
   * From now on, connections refused by the stopped test server are
   * expected: they are listed in diagnostics instead of failing the test.
   */
  expectServerDown() {
    this.serverDownExpected = true;
  }

  /** Returns the only page of the profile, opening one if there is none. */
  async page() {
    return this.context.pages()[0] ?? this.context.newPage();
  }

  async close() {
    await this.context.close();
    await rm(this.profileDir, { recursive: true, force: true });
  }
}

function isConnectionRefused(text) {
  return text.includes('net::ERR_CONNECTION_REFUSED');
}

/**
 * Runs in every frame before the page's own scripts and forwards each
 * `securitypolicyviolation` event to the test.
 */
function reportViolations(bindingName) {
  document.addEventListener(
    'securitypolicyviolation',
    (event) => {
      globalThis[bindingName]({
        effectiveDirective: event.effectiveDirective,
        blockedURI: event.blockedURI,
        sourceFile: event.sourceFile,
        lineNumber: event.lineNumber,
        sample: event.sample,
      });
    },
    true,
  );
}

/**
 * Runs in a worker or service worker and logs each of its CSP violations as
 * a console error, which the test records.
 *
 * NOTE: the listener is added only once Playwright reports the worker, so a
 * violation while the worker's script first runs can be missed, and a
 * service worker that the browser stops and restarts loses it.
 */
function logWorkerViolations() {
  self.addEventListener('securitypolicyviolation', (event) => {
    console.error(
      `Content Security Policy violation in ${self.location.href}: ${event.effectiveDirective} blocked ` +
        `${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`,
    );
  });
}
