// Which filesystems a restore may mount afresh (src/restore/filesystems.ts), checked on the kernel:
// a type is listed as making a superblock per mount exactly when two new mounts of it show two
// devices. (sysfs and mqueue come back as the namespace's one; a cgroup v1 mount is the live hierarchy.)
import { beforeAll, describe, expect, it } from 'vitest';
import { makesFreshSuperblock } from '../../src/restore/filesystems.js';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';

type Kind = { fresh: boolean } | { error: string };

describe.skipIf(kernelUnavailable)(kernelSuite('filesystem kinds: a new mount makes a superblock of its own, or hands back one'), () => {
  let kinds: Record<string, Kind>;

  beforeAll(() => {
    kinds = runChild<Record<string, Kind>>(new URL('./children/filesystem-kinds.ts', import.meta.url));
  });

  it('the types every container uses could be mounted here', () => {
    for (const fsType of ['tmpfs', 'proc', 'devpts', 'sysfs', 'mqueue']) expect(kinds[fsType], fsType).toHaveProperty('fresh');
  });

  it('each type that mounted is listed as fresh exactly when its two mounts showed two superblocks', () => {
    const mounted = Object.entries(kinds).filter((entry): entry is [string, { fresh: boolean }] => 'fresh' in entry[1]);
    expect(Object.fromEntries(mounted.map(([fsType]) => [fsType, makesFreshSuperblock(fsType)]))).toEqual(Object.fromEntries(mounted.map(([fsType, kind]) => [fsType, kind.fresh])));
  });

  it('sysfs and mqueue hand back the namespace\'s superblock, tmpfs and proc make their own', () => {
    expect(kinds).toMatchObject({ sysfs: { fresh: false }, mqueue: { fresh: false }, tmpfs: { fresh: true }, proc: { fresh: true } });
  });
});
