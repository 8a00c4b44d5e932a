// The tests' C helpers (test/support/c/*.c), compiled when a test needs them: cc is there wherever
// the addon builds (CI installs gcc for it and for the kernel build).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Why C helpers cannot be built here (said when a test skips), or undefined. */
export function compilerUnavailable(): string | undefined {
  const probe = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  return probe.error ? `cannot run cc: ${probe.error.message} (install gcc)` : undefined;
}

/** Compiles test/support/c/NAME.c into `output`, warnings as errors; throws with cc's message when it fails. */
export function compileHelper(name: string, output: string): string {
  const source = fileURLToPath(new URL(`./c/${name}.c`, import.meta.url));
  const run = spawnSync('cc', ['-Wall', '-Wextra', '-Werror', '-O2', '-o', output, source], { encoding: 'utf8' });
  if (run.error || run.status !== 0) throw new Error(`cc ${name}.c failed: ${run.error?.message ?? run.stderr}`);
  return output;
}
