// Test child (runs under unshare -m --propagation private): each filesystem type mounted twice on
// the scratch tmpfs; two devices mean a new mount makes a superblock of its own, one device that it
// hands back an existing one. A cgroup v1 hierarchy is mounted with the options of this namespace's
// mount of it (so nothing is reconfigured), and is compared with that mount. Nothing is written in
// any of them. Prints { [fsType]: { fresh } | { error } }.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MountError } from '../../../src/core/errors.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { statInProcess } from '../../../src/process/point-stat.js';
import { withScratch } from '../../../src/process/scratch.js';
import * as sys from '../../../src/native/syscalls.js';

/** Types whose new mount neither reconfigures nor writes anything (not cgroup2: its options are applied to the live hierarchy). */
const types = ['tmpfs', 'ramfs', 'proc', 'devpts', 'hugetlbfs', 'bpf', 'sysfs', 'mqueue'];

type Kind = { fresh: boolean } | { error: string };

/** The superblock a new mount of `fsType` with `data` at `dir` shows. */
function mountAt(dir: string, fsType: string, data: string | null): string {
  mkdirSync(dir);
  sys.mount(fsType, dir, fsType, 0, data);
  return statInProcess('self', dir)!.superblock;
}

function kindOf(dir: string, fsType: string, data: string | null, existing?: string): Kind {
  try {
    const first = existing ?? mountAt(join(dir, `${fsType}-1`), fsType, data);
    return { fresh: mountAt(join(dir, `${fsType}-2`), fsType, data) !== first };
  } catch (error) {
    if (error instanceof MountError) return { error: error.code };
    throw error;
  }
}

const result = await withScratch((dir) => {
  const kinds: Record<string, Kind> = Object.fromEntries(types.map((fsType) => [fsType, kindOf(dir, fsType, null)]));
  const v1 = parse(readFileSync('/proc/self/mountinfo', 'utf8')).find((entry) => entry.fsType === 'cgroup' && entry.root === '/');
  if (v1) {
    const options = v1.superOptions.split(',').filter((option) => option !== 'rw' && option !== 'ro').join(',');
    kinds.cgroup = kindOf(dir, 'cgroup', options, `${v1.major}:${v1.minor}`);
  }
  return kinds;
});
process.stdout.write(JSON.stringify(result));
