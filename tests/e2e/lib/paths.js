// Paths the tests share, all derived from this file's place in the repository.

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Downloads, command-line books, EPUBCheck reports and failure screenshots,
 * kept after the run for inspection beside the EPUBCheck gate's output.
 */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'target', 'tmp', 'e2e');

/** The command-line tool that `cargo build` writes. */
export const QUIRE_CLI = join(REPO_ROOT, 'target', 'debug', 'quire');

/** Returns the absolute path of a file or folder under tests/. */
export function testInput(relativePath) {
  return join(REPO_ROOT, 'tests', relativePath);
}
