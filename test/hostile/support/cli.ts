// Runs the mount-set-group command from source (node with the tsx loader), as a user would, and
// collects its exit status and output. The test runner's environment bans the addon
// (MOUNT_SET_GROUP_NO_SYSCALLS), and so does this command's: one that reached a syscall would fail
// with AddonUnavailableError, never change a mount.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NO_SYSCALLS_VARIABLE } from '../../../src/native/addon.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** `node --import tsx src/cli/main.ts ...args`, with `input` on stdin, run in `cwd`. */
export function runCli(args: readonly string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, main, ...args], {
      cwd: options.cwd,
      env: { ...process.env, [NO_SYSCALLS_VARIABLE]: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(options.input ?? '');
  });
}
