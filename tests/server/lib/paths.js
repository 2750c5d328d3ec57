// Paths the server tests share, derived from this file's place in the
// repository.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The built site that scripts/build-www.sh writes. */
export const DIST_DIR = join(REPO_ROOT, 'dist');

/** Logs, generated configurations, certificates and site copies of a run. */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'target', 'tmp', 'server');

/** The headers file that every location of nginx.conf includes. */
export const SECURITY_HEADERS_CONF = join(REPO_ROOT, 'security-headers.conf');
