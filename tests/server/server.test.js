// Checks the HTTP responses of nginx.conf and security-headers.conf, served
// by scripts/serve.sh in its sandbox. The checks cover security headers on
// every kind of response, MIME types, caching, gzip, methods, files that
// must never be served and /healthz. Last, they check that nginx runs as
// uid 101 and writes only to /tmp.
//
// The served folder is a copy of dist/ with the file modes of the container
// image, plus a few planted files (a .env, a .git folder, a symbolic link)
// that must not be served.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { send } from './lib/http.js';
import { NGINX_UID, ensureBuiltSite, nginxProcesses, startServeScript } from './lib/nginx.js';
import { ARTIFACTS_DIR, SECURITY_HEADERS_CONF } from './lib/paths.js';

/** The Content-Type nginx.conf must send for each extension of dist/. */
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** The files the browser must revalidate on every load. */
const REVALIDATED_PATHS = ['/', '/index.html', '/sw.js', '/build-info.js', '/manifest.webmanifest'];

/** nginx.conf's rule for file names that carry a content hash. */
const CONTENT_HASHED_NAME = /\.[0-9a-f]{8,}\.(js|css|wasm|svg|png)$/;

/** Text planted in the site's .env file, which must never be sent. */
const PLANTED_SECRET = 'QUIRE_TEST_SECRET=planted-by-server-test';

/** Log lines that mean nginx tried to write outside /tmp or failed. */
const LOG_PROBLEMS = [/Read-only file system/, /Permission denied/, /\[(emerg|alert|crit|error)\]/];

/** The planted symbolic link, whose refusal nginx logs at level crit. */
const PLANTED_LINK = 'linked.js';

const securityHeaders = readSecurityHeaders();
let site;
let siteFiles;
let server;

before(async () => {
  const dist = ensureBuiltSite();
  siteFiles = listFiles(dist).filter((file) => !file.endsWith('.gz'));
  site = plantSite(dist);
  server = await startServeScript(site);
});

after(async () => {
  await server?.stop();
  if (site) {
    removeSite(site);
  }
});

/**
 * Returns the headers security-headers.conf adds, as a map from name to
 * value, from its `add_header NAME "VALUE" always;` lines.
 */
function readSecurityHeaders() {
  const headers = new Map();
  const line = /^\s*add_header\s+(\S+)\s+"([^"]*)"\s+always;\s*$/;
  for (const text of readFileSync(SECURITY_HEADERS_CONF, 'utf8').split('\n')) {
    const match = text.match(line);
    if (match) {
      headers.set(match[1], match[2]);
    }
  }
  assert.ok(headers.size >= 5, `expected add_header lines in ${SECURITY_HEADERS_CONF}, found ${headers.size}`);
  return headers;
}

/** Returns the paths of every file under `dir`, relative to it. */
function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)));
}

/** Copies dist/, adds files that nginx must refuse to serve, and makes it read-only. */
function plantSite(dist) {
  const copy = join(ARTIFACTS_DIR, `site-${process.pid}`);
  removeSite(copy);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const cp = spawnSync('cp', ['-R', dist, copy], { encoding: 'utf8' });
  assert.equal(cp.status, 0, `cp -R ${dist} ${copy} failed: ${cp.stderr}`);

  writeFileSync(join(copy, '.env'), `${PLANTED_SECRET}\n`);
  mkdirSync(join(copy, '.git'));
  writeFileSync(join(copy, '.git', 'config'), '[core]\n');
  symlinkSync('app.js', join(copy, PLANTED_LINK));

  // The modes the Dockerfile gives the site: files 0444, folders 0555.
  const chmod = spawnSync('chmod', ['-R', 'a=rX', copy], { encoding: 'utf8' });
  assert.equal(chmod.status, 0, `chmod -R a=rX ${copy} failed: ${chmod.stderr}`);
  return copy;
}

/** Deletes the site copy, whose read-only folders block deletion until then. */
function removeSite(copy) {
  spawnSync('chmod', ['-R', 'u+w', copy]);
  rmSync(copy, { recursive: true, force: true });
}

function url(path) {
  return `${server.origin}${path}`;
}

describe('security headers', () => {
  // Each kind of response nginx can send: 200 (GET and HEAD, plain and
  // gzip), 304 by ETag and by date, 404 (missing and hidden) and 405.
  const cases = [
    { status: 200, path: '/' },
    { status: 200, path: '/index.html', method: 'HEAD' },
    { status: 200, path: '/pkg/quire_bg.wasm', headers: { 'Accept-Encoding': 'gzip' } },
    { status: 200, path: '/healthz' },
    { status: 304, path: '/app.js', validator: 'etag' },
    { status: 304, path: '/style.css', validator: 'last-modified' },
    { status: 404, path: '/missing.js' },
    { status: 404, path: '/.env' },
    { status: 405, path: '/', method: 'POST', body: 'x' },
    { status: 405, path: '/index.html', method: 'PUT', body: 'x' },
    { status: 405, path: '/app.js', method: 'DELETE' },
  ];

  for (const { status, path, method = 'GET', headers = {}, body, validator } of cases) {
    test(`${status} ${method} ${path}${validator ? ` (${validator})` : ''}`, async () => {
      const requestHeaders = { ...headers, ...(await conditionalHeaders(path, validator)) };
      const response = await send(url(path), { method, headers: requestHeaders, body });
      assert.equal(response.status, status);

      for (const [name, value] of securityHeaders) {
        assert.deepEqual(response.headers(name), [value], `${name} must be sent exactly once with its configured value`);
      }
      assert.deepEqual(response.headers('Server'), ['nginx'], 'Server must not name a version');
      assert.doesNotMatch(response.body.toString('latin1'), /nginx\/\d/, 'the body must not name the nginx version');
    });
  }

  /** Returns the If-None-Match or If-Modified-Since header for `path`. */
  async function conditionalHeaders(path, validator) {
    if (!validator) {
      return {};
    }
    const [value] = (await send(url(path))).headers(validator);
    assert.ok(value, `GET ${path} sent no ${validator} header`);
    return validator === 'etag' ? { 'If-None-Match': value } : { 'If-Modified-Since': value };
  }
});

describe('content types', () => {
  const cases = [
    ['/', 'text/html; charset=utf-8'],
    ['/index.html', 'text/html; charset=utf-8'],
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/pkg/quire.js', 'text/javascript; charset=utf-8'],
    ['/pkg/quire_bg.wasm', 'application/wasm'],
    ['/style.css', 'text/css; charset=utf-8'],
    ['/manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['/icon.svg', 'image/svg+xml; charset=utf-8'],
  ];

  for (const [path, contentType] of cases) {
    test(`${path} is ${contentType}`, async () => {
      const response = await send(url(path));
      assert.equal(response.status, 200);
      assert.deepEqual(response.headers('Content-Type'), [contentType]);
    });
  }

  test('every file of dist/ has its type', async () => {
    const wrong = [];
    for (const file of siteFiles) {
      const expected = CONTENT_TYPES[extname(file)] ?? '(no type in nginx.conf for this extension)';
      const [actual] = (await send(url(`/${file}`), { method: 'HEAD' })).headers('Content-Type');
      if (actual !== expected) {
        wrong.push(`/${file}: ${actual}, expected ${expected}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

describe('caching', () => {
  for (const path of REVALIDATED_PATHS) {
    test(`${path} is revalidated`, async () => {
      const response = await send(url(path));
      assert.equal(response.status, 200);
      assert.deepEqual(response.headers('Cache-Control'), ['no-cache']);
    });
  }

  test('content-hashed names are immutable', async (t) => {
    const hashed = siteFiles.filter((file) => CONTENT_HASHED_NAME.test(file));
    if (hashed.length === 0) {
      t.skip('dist/ has no content-hashed file name, so nginx.conf\'s immutable rule is unused');
      return;
    }
    for (const file of hashed) {
      const response = await send(url(`/${file}`));
      assert.deepEqual(response.headers('Cache-Control'), ['public, max-age=31536000, immutable'], `/${file}`);
    }
  });

  test('/healthz is never stored', async () => {
    const response = await send(url('/healthz'));
    assert.deepEqual(response.headers('Cache-Control'), ['no-store']);
  });
});

describe('gzip', () => {
  for (const path of ['/pkg/quire_bg.wasm', '/app.js', '/pkg/quire.js']) {
    test(`${path} gzipped on request`, async () => {
      const original = readFileSync(join(site, path));
      const response = await send(url(path), { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(response.status, 200);
      assert.deepEqual(response.headers('Content-Encoding'), ['gzip']);
      assert.deepEqual(response.headers('Vary'), ['Accept-Encoding']);
      assert.deepEqual(response.headers('Content-Type'), [CONTENT_TYPES[extname(path)]]);
      assert.ok(gunzipSync(response.body).equals(original), 'the gzipped body must unpack to the file');
    });

    test(`${path} plain without Accept-Encoding`, async () => {
      const original = readFileSync(join(site, path));
      const response = await send(url(path));
      assert.equal(response.status, 200);
      assert.deepEqual(response.headers('Content-Encoding'), []);
      assert.deepEqual(response.headers('Vary'), ['Accept-Encoding']);
      assert.ok(response.body.equals(original), 'the body must be the file');
    });
  }
});

describe('methods', () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    test(`${method} is 405 with Allow`, async () => {
      const response = await send(url('/index.html'), { method, body: method === 'POST' || method === 'PUT' ? 'x' : undefined });
      assert.equal(response.status, 405);
      assert.deepEqual(response.headers('Allow'), ['GET, HEAD']);
    });
  }

  test('POST to /healthz is 405', async () => {
    const response = await send(url('/healthz'), { method: 'POST', body: 'x' });
    assert.equal(response.status, 405);
    assert.deepEqual(response.headers('Allow'), ['GET, HEAD']);
  });
});

describe('files never served', () => {
  test('folder has no listing', async () => {
    for (const path of ['/pkg/', '/pkg']) {
      const response = await send(url(path));
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(response.body.toString('utf8'), /Index of|quire_bg\.wasm/, path);
    }
  });

  test('hidden files are 404', async () => {
    for (const path of ['/.env', '/.git/config', '/.git/', '/pkg/.env']) {
      const response = await send(url(path));
      assert.equal(response.status, 404, path);
      assert.ok(!response.body.toString('utf8').includes(PLANTED_SECRET), `${path} leaked the planted secret`);
    }
  });

  // nginx.conf has `disable_symlinks on`, so a link planted in the site
  // cannot expose a file outside it.
  test('symbolic link is 404', async () => {
    const response = await send(url(`/${PLANTED_LINK}`));
    assert.equal(response.status, 404);
    assert.ok(!response.body.equals(readFileSync(join(site, 'app.js'))), 'the link target was served');
  });
});

describe('/healthz', () => {
  test('returns ok as plain text', async () => {
    const response = await send(url('/healthz'));
    assert.equal(response.status, 200);
    assert.equal(response.body.toString('utf8'), 'ok\n');
    assert.deepEqual(response.headers('Content-Type'), ['text/plain; charset=utf-8']);
  });
});

// These run last, after every request above has been logged.
describe('sandbox', () => {
  test('nginx runs as uid 101 without capabilities', () => {
    const processes = nginxProcesses(server.pid);
    assert.ok(processes.length >= 2, `expected an nginx master and workers, found ${processes.length}`);
    for (const nginx of processes) {
      assert.equal(nginx.uid, NGINX_UID, `uid of nginx process ${nginx.pid}`);
      assert.equal(nginx.capabilities, '0000000000000000', `capabilities of nginx process ${nginx.pid}`);
      assert.ok(nginx.noNewPrivileges, `nginx process ${nginx.pid} may gain privileges`);
    }
  });

  test('nginx sees / read-only and /tmp as tmpfs', () => {
    for (const nginx of nginxProcesses(server.pid)) {
      const root = nginx.mounts.get('/');
      const tmp = nginx.mounts.get('/tmp');
      assert.ok(root?.options.includes('ro'), `/ of nginx process ${nginx.pid} is ${JSON.stringify(root)}`);
      assert.equal(tmp?.type, 'tmpfs', `/tmp of nginx process ${nginx.pid}`);
    }
  });

  test('nginx wrote its pid file to /tmp', () => {
    const [master] = nginxProcesses(server.pid).filter((nginx) => nginx.mounts.get('/tmp'));
    const pidFile = readFileSync(`/proc/${master.pid}/root/tmp/nginx.pid`, 'utf8');
    assert.match(pidFile, /^\d+\n$/);
  });

  test('log has no write or startup errors', () => {
    // nginx logs "openat() ... failed (40: Too many levels of symbolic links)"
    // at level crit for each request of the planted link.
    const lines = server
      .log()
      .split('\n')
      .filter((line) => !line.includes(`/${PLANTED_LINK}`));
    const problems = lines.filter((line) => LOG_PROBLEMS.some((problem) => problem.test(line)));
    assert.deepEqual(problems, [], `problems in ${server.logPath}`);
    assert.ok(
      lines.some((line) => line.includes('"GET / HTTP/1.1" 200')),
      `the access log of GET / is missing from ${server.logPath}`,
    );
  });
});
