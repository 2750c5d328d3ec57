// Starts the built site behind the project's own nginx.conf, as
// scripts/serve.sh runs it in production: Debian's nginx as uid 101 inside
// bubblewrap, on a free port of 127.0.0.1.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ARTIFACTS_DIR, REPO_ROOT } from './paths.js';

/** Time nginx gets to return 200 on /healthz before the start fails. */
const START_TIMEOUT_MS = 15_000;

/** Time nginx gets to exit after SIGTERM before it is sent SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts `scripts/serve.sh ROOT 127.0.0.1:PORT` and waits until /healthz
 * returns 200. ROOT is the built site, dist/ unless a test serves a copy.
 * The script runs as the leader of its own process group, so `stop()`
 * signals bubblewrap and nginx together.
 */
export async function startServer(root = join(REPO_ROOT, 'dist')) {
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) {
    throw new Error(`${indexPath} not found; build the page first with scripts/build-www.sh`);
  }

  const port = await findFreePort();
  const address = `127.0.0.1:${port}`;

  // nginx opens /dev/stderr and /dev/stdout for its logs. Those cannot be
  // reopened when they are the sockets Node's 'pipe' uses (ENXIO), so both
  // go to a log file, which also keeps the access log for inspection.
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const logPath = join(ARTIFACTS_DIR, `nginx-${port}.log`);
  const log = openSync(logPath, 'w');
  const child = spawn(join(REPO_ROOT, 'scripts', 'serve.sh'), [root, address], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const logText = () => readFileSync(logPath, 'utf8');
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const server = {
    origin: `http://${address}`,
    port,
    running: true,
    logPath,
    stop: async () => {
      if (!server.running) {
        return;
      }
      server.running = false;
      await stopProcessGroup(child, exited);
    },
  };

  try {
    await waitForHealth(server.origin, exited, logText);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
async function findFreePort() {
  const probe = createServer();
  await new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitForHealth(origin, exited, logText) {
  let exit = null;
  exited.then((result) => {
    exit = result;
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(
        `scripts/serve.sh exited (code ${exit.code}, signal ${exit.signal}) before ${origin}/healthz returned 200:\n${logText()}`,
      );
    }
    if ((await fetchStatus(`${origin}/healthz`)) === 200) {
      return;
    }
    await sleep(100);
  }
  throw new Error(`${origin}/healthz did not return 200 within ${START_TIMEOUT_MS} ms:\n${logText()}`);
}

/** Returns the HTTP status of a GET request, or null when the connection fails. */
function fetchStatus(url) {
  return new Promise((resolve) => {
    const request = get(url, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.setTimeout(1_000, () => request.destroy());
    request.once('error', () => resolve(null));
  });
}

async function stopProcessGroup(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  // A negative pid signals the whole process group that `detached` created.
  signalGroup(child.pid, 'SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
  if (!stopped) {
    signalGroup(child.pid, 'SIGKILL');
    await exited;
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group has already exited.
    if (error.code !== 'ESRCH') {
      throw error;
    }
  }
}
