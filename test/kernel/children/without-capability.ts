// Test child (runs under unshare -m --propagation private): a grandchild in its own user and mount
// namespace (unshare -Urm) tries to join mounts of this namespace: through inherited fds, and with
// this namespace's mount as source and its own copy as target. It lacks CAP_SYS_ADMIN over this
// namespace: EPERM. Through /proc/PID/root paths it does not even get that far: EACCES.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import * as sys from '../../../src/native/syscalls.js';
import { runScenario } from '../../../src/scenario/run.js';

const tsx = createRequire(import.meta.url).resolve('tsx');
const attempt = fileURLToPath(new URL('./attempt-set-group.ts', import.meta.url));

/** Runs attempt-set-group.ts as an unprivileged user-namespace root, with `fds` as its fds 3 and 4. */
function unprivileged(args: string[], fds: number[] = []): unknown {
  const run = spawnSync('unshare', ['-Urm', process.execPath, '--import', tsx, attempt, ...args], {
    stdio: ['ignore', 'pipe', 'pipe', ...fds],
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`attempt failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const result = await withScratch((dir) => {
  runScenario(new KernelNamespace(), 'mkdir a b\nmount -t tmpfs t a\nmount --bind a b\nmount --make-shared a', { cwd: dir });
  const fds = [sys.openPath(`${dir}/a`), sys.openPath(`${dir}/b`)];
  return {
    throughFds: unprivileged(['3', '4'], fds),
    intoOwnCopy: unprivileged(['3', `${dir}/b`], fds),
    throughProcRoot: unprivileged([`/proc/${process.pid}/root${dir}/a`, `/proc/${process.pid}/root${dir}/b`]),
  };
});
process.stdout.write(JSON.stringify(result));
