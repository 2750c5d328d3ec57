// Starts the project's nginx.conf on a free port of 127.0.0.1, the way the
// container runs it: Debian's nginx as uid 101 inside bubblewrap, with / read
// only, a fresh tmpfs on /tmp and no capabilities.
//
// startServeScript() runs scripts/serve.sh itself. startTlsServer() serves
// HTTPS for the MDN HTTP Observatory: serve.sh takes no extra configuration,
// so it writes a test-only copy of nginx.conf by serve.sh's substitutions plus
// certificate lines, and starts it in the same sandbox.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { send } from './http.js';
import { ARTIFACTS_DIR, DIST_DIR, REPO_ROOT } from './paths.js';

/** Time nginx gets to return 200 for /healthz before the test gives up. */
const START_TIMEOUT_MS = 15_000;

/** Time nginx gets to exit after SIGTERM before it is sent SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

/** The uid nginx runs as, inside the sandbox and in the container image. */
export const NGINX_UID = 101;

/**
 * Returns the built site's folder, first running scripts/build-www.sh when
 * dist/index.html is missing.
 */
export function ensureBuiltSite() {
  if (existsSync(join(DIST_DIR, 'index.html'))) {
    return DIST_DIR;
  }

  console.log('dist/index.html not found; building the page with scripts/build-www.sh');
  const build = spawnSync(join(REPO_ROOT, 'scripts', 'build-www.sh'), [], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    throw new Error(`scripts/build-www.sh failed (status ${build.status}, signal ${build.signal})`);
  }
  return DIST_DIR;
}

/** Starts `scripts/serve.sh ROOT 127.0.0.1:PORT` and waits for /healthz. */
export async function startServeScript(root) {
  const port = await findFreePort();
  const address = `127.0.0.1:${port}`;
  const command = [join(REPO_ROOT, 'scripts', 'serve.sh'), root, address];
  return startProcess(command, { origin: `http://${address}`, port, name: `serve-${port}` });
}

/**
 * Starts nginx.conf over HTTPS with a throwaway self-signed certificate for
 * 127.0.0.1, and waits for /healthz. A plain HTTP request to the same port
 * gets a redirect to HTTPS (through nginx's status 497), as from a TLS front
 * end on port 80. The Observatory's redirection test checks that redirect.
 *
 * Returns the server with `certificate`, the PEM text to trust.
 */
export async function startTlsServer(root) {
  const port = await findFreePort();
  const dir = join(ARTIFACTS_DIR, `tls-${port}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });

  const certificatePath = join(dir, 'certificate.pem');
  const keyPath = join(dir, 'key.pem');
  createCertificate(certificatePath, keyPath);

  const config = readFileSync(join(REPO_ROOT, 'nginx.conf'), 'utf8')
    .replace(/^(\s*)root .*;$/m, `$1root ${root};`)
    .replace(
      /^(\s*)listen .*;$/m,
      [
        `$1listen 127.0.0.1:${port} ssl;`,
        `$1ssl_certificate ${certificatePath};`,
        `$1ssl_certificate_key ${keyPath};`,
        `$1error_page 497 =301 https://$$host:$$server_port$$request_uri;`,
      ].join('\n'),
    );
  const configPath = join(dir, 'nginx.conf');
  writeFileSync(configPath, config);
  await copyFile(join(REPO_ROOT, 'security-headers.conf'), join(dir, 'security-headers.conf'));

  // The same sandbox as the exec line of scripts/serve.sh, with the site
  // and this configuration bound again after the tmpfs, so a checkout
  // under /tmp still works.
  const command = [
    'bwrap',
    '--ro-bind', '/', '/',
    '--tmpfs', '/tmp',
    '--ro-bind', resolve(root), resolve(root),
    '--ro-bind', dir, dir,
    '--dev', '/dev',
    '--proc', '/proc',
    '--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts',
    '--uid', String(NGINX_UID), '--gid', String(NGINX_UID),
    '--cap-drop', 'ALL',
    '--die-with-parent',
    '--', 'nginx', '-e', 'stderr', '-p', '/tmp/', '-c', configPath, '-g', 'daemon off;',
  ];
  const certificate = readFileSync(certificatePath, 'utf8');
  const server = await startProcess(command, {
    origin: `https://127.0.0.1:${port}`,
    port,
    name: `tls-${port}`,
    ca: certificate,
  });
  return { ...server, certificate, certificatePath };
}

/** Writes a one-day self-signed P-256 certificate for IP 127.0.0.1. */
function createCertificate(certificatePath, keyPath) {
  const openssl = spawnSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', keyPath, '-out', certificatePath,
    ],
    { encoding: 'utf8' },
  );
  if (openssl.status !== 0) {
    throw new Error(`openssl failed to create a test certificate (status ${openssl.status}): ${openssl.stderr}`);
  }
}

/**
 * Spawns `command` as the leader of its own process group, with stdout and
 * stderr in a log file, and waits until GET /healthz returns 200.
 */
async function startProcess(command, { origin, port, name, ca }) {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  // nginx reopens /dev/stderr, which fails (ENXIO) when stderr is the socket
  // of a Node pipe, so the output goes to a file.
  const logPath = join(ARTIFACTS_DIR, `${name}.log`);
  const log = openSync(logPath, 'w');
  const child = spawn(command[0], command.slice(1), { cwd: REPO_ROOT, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);

  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const server = {
    origin,
    port,
    ca,
    logPath,
    pid: child.pid,
    log: () => readFileSync(logPath, 'utf8'),
    stop: () => stopProcessGroup(child, exited),
  };

  try {
    await waitForHealth(server, exited);
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

async function waitForHealth(server, exited) {
  let exit = null;
  exited.then((result) => {
    exit = result;
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(
        `nginx exited (code ${exit.code}, signal ${exit.signal}) before ${server.origin}/healthz returned 200:\n${server.log()}`,
      );
    }
    try {
      const response = await send(`${server.origin}/healthz`, { ca: server.ca });
      if (response.status === 200) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${server.origin}/healthz did not return 200 within ${START_TIMEOUT_MS} ms:\n${server.log()}`);
}

async function stopProcessGroup(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  // A negative pid signals the process group that `detached` created.
  signalGroup(child.pid, 'SIGTERM');
  // An unreferenced timer, so the loser of the race does not keep the test
  // process alive.
  const timeout = sleep(STOP_TIMEOUT_MS, false, { ref: false });
  const stopped = await Promise.race([exited.then(() => true), timeout]);
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

/**
 * Returns the nginx processes started under `pid`, each with its pid, the
 * uid it has inside its user namespace, its effective capabilities (hex, as
 * in /proc/PID/status) and the mounts of its mount namespace.
 */
export function nginxProcesses(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = readProc(entry, 'stat');
    if (stat === null) {
      continue;
    }
    // The command name is in parentheses and may contain spaces, so the
    // fields are counted from the closing one: state, then the parent pid.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(afterName[1]);
    if (!children.has(parent)) {
      children.set(parent, []);
    }
    children.get(parent).push(Number(entry));
  }

  const processes = [];
  const pending = [...(children.get(pid) ?? [])];
  while (pending.length > 0) {
    const current = pending.pop();
    pending.push(...(children.get(current) ?? []));
    if (readProc(current, 'comm')?.trim() !== 'nginx') {
      continue;
    }
    const status = readProc(current, 'status') ?? '';
    processes.push({
      pid: current,
      uid: namespaceUid(status, readProc(current, 'uid_map') ?? ''),
      capabilities: status.match(/^CapEff:\s*(\S+)/m)?.[1],
      noNewPrivileges: status.match(/^NoNewPrivs:\s*(\S+)/m)?.[1] === '1',
      mounts: parseMountInfo(readProc(current, 'mountinfo') ?? ''),
    });
  }
  return processes;
}

/**
 * Translates the process's effective uid, as /proc shows it to this
 * process, into the uid inside the process's own user namespace, through its uid_map lines
 * ("inside outside count").
 */
function namespaceUid(status, uidMap) {
  const effective = Number(status.match(/^Uid:\s*\d+\s+(\d+)/m)?.[1]);
  for (const line of uidMap.trim().split('\n')) {
    const [inside, outside, count] = line.trim().split(/\s+/).map(Number);
    if (effective >= outside && effective < outside + count) {
      return inside + (effective - outside);
    }
  }
  return null;
}

/** Returns each mount point with its file system type and mount options. */
function parseMountInfo(text) {
  const mounts = new Map();
  for (const line of text.trim().split('\n')) {
    // Fields: id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    const [before, after] = line.split(' - ');
    const fields = before.split(' ');
    const [type] = after.split(' ');
    mounts.set(fields[4], { type, options: fields[5].split(',') });
  }
  return mounts;
}

/** Returns the text of /proc/PID/NAME, or null when the process is gone. */
function readProc(pid, name) {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return null;
  }
}
