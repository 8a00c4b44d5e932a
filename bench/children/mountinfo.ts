// Bench child (runs under unshare -m --propagation private): makes COUNT bind mounts on a scratch
// tmpfs and writes this namespace's /proc/self/mountinfo to OUTPUT — a real mountinfo of the
// host's mounts plus COUNT lines, made by the kernel. The binds vary as real ones do: the root of
// the filesystem or a subdirectory of it, shared (peers of the source), slaves (master:N), private,
// and mount points with a space and a tab in their names (escaped \040, \011).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withScratch } from '../../src/process/scratch.js';
import * as sys from '../../src/native/syscalls.js';

const [countArg, output] = process.argv.slice(2) as [string, string];
const count = Number(countArg);

/** The mount point of bind `i`: a few dozen per directory, every seventh with a space and a tab. */
function mountPoint(dir: string, i: number): string {
  return join(dir, 'm', String(i % 97), i % 7 === 0 ? `bind ${i}\tx` : `bind-${i}`);
}

await withScratch((dir) => {
  const { MS_BIND, MS_SHARED, MS_SLAVE, MS_PRIVATE } = sys.addon().constants;
  const source = join(dir, 'source');
  mkdirSync(join(source), { recursive: true });
  sys.mount('bench-source', source, 'tmpfs', 0, 'size=1m');
  mkdirSync(join(source, 'sub'));
  sys.changePropagation(source, MS_SHARED);
  for (let i = 0; i < count; i++) {
    const target = mountPoint(dir, i);
    mkdirSync(target, { recursive: true });
    sys.mount(i % 2 ? join(source, 'sub') : source, target, null, MS_BIND, null);
    if (i % 3 === 1) sys.changePropagation(target, MS_SLAVE);
    else if (i % 3 === 2) sys.changePropagation(target, MS_PRIVATE);
  }
  writeFileSync(output, readFileSync('/proc/self/mountinfo', 'utf8'));
});
