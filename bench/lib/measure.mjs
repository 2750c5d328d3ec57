// Running a command under measurement: wall-clock time from Node, and peak
// resident memory from GNU time's %M, which is the child's ru_maxrss and so
// covers the process that time waits for and everything that process waited for.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time, which reports peak memory; the shell's `time` keyword does not. */
const GNU_TIME = '/usr/bin/time';

/**
 * Runs `command` with `args` in `cwd` once. A run longer than `timeoutSeconds`
 * is killed, with everything it started, by coreutils' `timeout`.
 *
 * Returns `{ seconds, peakBytes }`, or `{ failed }` with the reason when the
 * command timed out or exited with another status than 0.
 */
export function measureOnce(command, args, { cwd, timeoutSeconds }) {
  const folder = mkdtempSync(join(tmpdir(), 'quire-bench-'));
  const rusagePath = join(folder, 'rusage');
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync(
      'timeout',
      ['--signal=KILL', String(timeoutSeconds), GNU_TIME, '-f', '%M', '-o', rusagePath, command, ...args],
      { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 },
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;

    // On expiry, timeout sends SIGKILL to its whole process group, itself
    // included, so it ends by that signal rather than with a status.
    if (result.signal === 'SIGKILL' || result.status === 137) {
      return { failed: `timed out after ${timeoutSeconds} s` };
    }
    if (result.status !== 0) {
      const stderr = result.stderr.toString('utf8').trim().split('\n').slice(-3).join(' | ');
      return { failed: `exited with status ${result.status}: ${stderr}` };
    }
    const kilobytes = Number(readFileSync(rusagePath, 'utf8').trim().split('\n').at(-1));
    return { seconds, peakBytes: kilobytes * 1024 };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Runs the command `runs` times. Returns `{ runs: [...], seconds, peakBytes }`
 * with the medians, or `{ failed }` as soon as one run fails.
 */
export function measure(command, args, { cwd, runs, timeoutSeconds }) {
  const results = [];
  for (let run = 0; run < runs; run += 1) {
    const result = measureOnce(command, args, { cwd, timeoutSeconds });
    if (result.failed) {
      return result;
    }
    results.push(result);
  }
  return {
    runs: results,
    seconds: median(results.map((result) => result.seconds)),
    peakBytes: median(results.map((result) => result.peakBytes)),
  };
}

/**
 * Runs several commands in rounds: each round runs every command in turn,
 * `perRound` times each (1 unless set), so that a machine whose speed
 * changes for minutes at a time affects them all alike. `commands` is a
 * list of `{ name, command, args, cwd, timeoutSeconds, perRound }`.
 *
 * Returns an object by name of what `measure` returns. A command that
 * fails is not run again; the others go on.
 */
export function measureInRounds(commands, rounds) {
  const results = new Map(commands.map(({ name }) => [name, []]));
  const failures = new Map();
  for (let round = 0; round < rounds; round += 1) {
    for (const { name, command, args, cwd, timeoutSeconds, perRound = 1 } of commands) {
      for (let run = 0; run < perRound && !failures.has(name); run += 1) {
        const result = measureOnce(command, args, { cwd, timeoutSeconds });
        if (result.failed) {
          failures.set(name, result);
        } else {
          results.get(name).push(result);
        }
      }
    }
  }
  const byName = {};
  for (const [name, runs] of results) {
    byName[name] = failures.get(name) ?? {
      runs,
      seconds: median(runs.map((result) => result.seconds)),
      peakBytes: median(runs.map((result) => result.peakBytes)),
    };
  }
  return byName;
}

/** Returns the median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
