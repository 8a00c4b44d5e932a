// Running vitest inside the guest, and judging what it reports: the command line (the project is
// read-only there), a tally of the inner tests, and every failure, skip and suite error in words.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InnerOutcome } from './guest/vitest-outcome.js';

const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const REPORTER = fileURLToPath(new URL('./guest/vitest-outcome.ts', import.meta.url));

/**
 * The argv that runs `files` with vitest (the project's config unless `config` names another) and writes the
 * outcome as the guest job's result. `--configLoader runner` loads the config in memory: the default bundler
 * writes a temporary file under node_modules, which is read-only in the guest.
 */
export function innerVitestCommand(files: readonly string[], options: { timeoutMs: number; config?: string }): string[] {
  return [
    process.execPath, VITEST, 'run', ...files, '--configLoader', 'runner',
    ...(options.config ? ['--config', options.config] : []),
    '--reporter', REPORTER, '--reporter', 'default',
    '--testTimeout', String(options.timeoutMs), '--hookTimeout', String(options.timeoutMs),
  ];
}

export interface Tally {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  pending: number;
}

/** How many inner tests ended in each state. */
export function tally(outcome: InnerOutcome): Tally {
  const count = (state: string) => outcome.tests.filter((test) => test.state === state).length;
  return { total: outcome.tests.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), pending: count('pending') };
}

/** Everything that keeps a run from being all-passed, one entry per test or error, saying which and why. */
export function innerProblems(outcome: InnerOutcome): string[] {
  const tests = outcome.tests.filter((test) => test.state !== 'passed').map((test) =>
    `${test.state}: ${test.module} > ${test.name}${test.errors.length ? `\n${test.errors.join('\n')}` : ''}`);
  const errors = outcome.errors.map((error) => `error in ${error.where}:\n${error.message}`);
  const reason = outcome.reason === 'passed' ? [] : [`the run ended: ${outcome.reason}`];
  const empty = outcome.tests.length === 0 ? ['no tests ran'] : [];
  return [...tests, ...errors, ...reason, ...empty];
}
