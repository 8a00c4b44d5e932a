// Helpers for tests that run on the real kernel: always in a child process with its own private
// mount namespace, never in the test runner (which cannot even load the addon: vitest.config.ts).
import { privateNamespaceUnavailable, runPrivateSync } from '../../src/process/child.js';
import { runOnKernel, type WorkerRequest, type WorkerResponse } from '../../src/scenario/worker-client.js';
import { parse } from '../../src/mountinfo/parse.js';
import type { MountInfo } from '../../src/mountinfo/types.js';
import type { SetGroupMethod } from '../../src/set-group/set-group.js';

/** Why kernel tests cannot run here (printed in the suite's name when they skip), or undefined. */
export const kernelUnavailable = privateNamespaceUnavailable();

/** A suite name that says why it is skipped, when it is. */
export function kernelSuite(name: string): string {
  return kernelUnavailable ? `${name} [skipped: ${kernelUnavailable}]` : name;
}

/** Runs one scenario on the kernel in a fresh private namespace. */
export function onKernel(script: string, options: Omit<WorkerRequest, 'script'> = {}): WorkerResponse {
  return runOnKernel([{ script, ...options }])[0]!;
}

/** The topmost mount at `dir/relative` in a mountinfo text. */
export function mountAt(mountinfo: string, dir: string, relative: string): MountInfo {
  const path = relative === '.' ? dir : `${dir}/${relative}`;
  const found = parse(mountinfo).filter((entry) => entry.mountPoint === path).at(-1);
  if (!found) throw new Error(`no mount at ${path}`);
  return found;
}

/**
 * Milliseconds a test child may run: 60 s, or $MOUNT_SET_GROUP_TEST_CHILD_TIMEOUT_MS where everything
 * is slower (the VM suite sets it: under TCG emulation a Node start alone takes seconds).
 */
export const childTimeoutMs = Number(process.env.MOUNT_SET_GROUP_TEST_CHILD_TIMEOUT_MS ?? 60_000);

/** Runs a test child module under unshare and returns what it printed as JSON (killed after `timeout` ms). */
export function runChild<T>(module: URL, args: string[] = [], timeout = childTimeoutMs): T {
  const child = runPrivateSync(module, args, { timeout });
  if (child.status !== 0) throw new Error(`child ${module.pathname} failed (${child.status ?? child.signal}): ${child.stderr}`);
  return JSON.parse(child.stdout) as T;
}

/** The set-group form kernel tests use: 'auto' here; the VM run forces 'mount' (npm run test:vm). */
export const testMethod = (process.env.MOUNT_SET_GROUP_TEST_METHOD ?? 'auto') as SetGroupMethod;
