// Paths the benchmark shares, derived from this file's place in the repository.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Books, EPUBs and the results of a run; under target/, so git ignores them. */
export const WORK_DIR = join(REPO_ROOT, 'target', 'bench');

/** The command-line tool that scripts/build-cli.sh writes (`make build`). */
export const QUIRE_CLI = join(REPO_ROOT, 'target', 'cli', 'quire');

/** The pandoc binary that the pinned pypandoc_binary wheel ships, installed by bench/run.sh. */
export const PANDOC = join(WORK_DIR, 'venv', 'bin', 'pandoc');
