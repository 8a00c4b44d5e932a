// What docs/attach.md says of rootless containers, asked of the kernel: mounts that reach a
// container in another user namespace arrive with their flags locked (a read-only one stays
// read-only), and the mounts inside a tree that arrives together are locked to it (the kernel's
// lock_mnt_tree() locks the copy and everything in it, then unlocks the copy's top): the container
// can unmount what arrived, one propagated mount at a time, but not uncover what lies inside one.
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';
import type { Outcome } from './children/attach-support.js';

interface Report {
  attached: Outcome<unknown>;
  arrived: string[];
  tries: Record<'umountInsideTree' | 'remountReadOnlyWritable' | 'umountSingle' | 'umountTreeTop' | 'umountReadOnly', number>;
  left: string[];
}

describe.skipIf(kernelUnavailable)(kernelSuite('mounts that reach a rootless container after attach'), () => {
  let r: Report;

  beforeAll(() => {
    r = runChild<Report>(new URL('./children/attach-locked.ts', import.meta.url));
  });

  it('they arrive: a lone mount, a tree with a mount inside it, a read-only mount', () => {
    expect(r.attached).toMatchObject({ ok: true });
    expect(r.arrived).toEqual(['/data/single', '/data/tree', '/data/tree/inside', '/data/ro']);
  });

  it('the mount inside an arrived tree cannot be unmounted on its own, and a read-only one cannot be made writable', () => {
    expect(r.tries.umountInsideTree).not.toBe(0);
    expect(r.tries.remountReadOnlyWritable).not.toBe(0);
  });

  it('what arrived as the top of a propagation can be unmounted by the container, a tree with what is inside it', () => {
    expect(r.tries).toMatchObject({ umountSingle: 0, umountTreeTop: 0, umountReadOnly: 0 });
    expect(r.left).toEqual([]);
  });
});
