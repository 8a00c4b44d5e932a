// Test child (runs under unshare -m --propagation private, on a scratch tmpfs): restore and detach
// run by the CLI under test/support/c/without-openat2.c, which makes openat2(2) fail with ENOSYS as
// a kernel older than 5.6 does. Reports their exit status and stderr, and whether the mounts changed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import { compileHelper } from '../../support/c.js';

const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const ns = new KernelNamespace();

const result = await withScratch((dir) => {
  const without = compileHelper('without-openat2', join(dir, 'without-openat2'));
  const cli = (args: string[]) => {
    const run = spawnSync(without, [process.execPath, '--import', tsx, main, ...args], { encoding: 'utf8', env: { ...process.env, MOUNT_SET_GROUP_NO_SYSCALLS: '' } });
    return { status: run.status, stderr: run.stderr };
  };
  const topology = join(dir, 'topology.json');
  const mount = { parent: null, mountPoint: '/', root: '/', fsType: 'tmpfs', source: 't', superblock: '0:1', mountOptions: 'rw,relatime', superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false };
  writeFileSync(topology, JSON.stringify({ schema: 'mount-set-group/topology', version: 1, under: '/', mounts: [{ ...mount, id: 1 }] }));
  const volume = join(dir, 'volume');
  mkdirSync(volume);
  ns.mount('tmpfs', 'volume', volume);
  const before = ns.mountinfo();
  const restore = cli(['restore', topology, '--into', join(dir, 'into'), '--staging', join(dir, 'staging')]);
  const detach = cli(['detach', String(process.pid), volume]);
  return { restore, detach, unchanged: ns.mountinfo() === before };
});
process.stdout.write(JSON.stringify(result));
