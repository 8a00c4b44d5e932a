// The model on its own, where no kernel is needed: the id allocator, the invariant checker (it must
// catch a broken state), the shape of errors, and what the API promises besides the kernel's rules.
import { describe, expect, it } from 'vitest';
import { InvariantError, MountInvalidArgumentError, MountNotFoundError } from '../../src/core/errors.js';
import { Ida } from '../../src/model/ida.js';
import { assertInvariants, ModelNamespace } from '../../src/model/index.js';

/** A model with a shared tmpfs at /a, a peer at /b and a slave at /c. */
function sharedWithPeerAndSlave(): ModelNamespace {
  const ns = new ModelNamespace();
  ns.mkdir('/a');
  ns.mkdir('/b');
  ns.mkdir('/c');
  ns.mount('tmpfs', 'a', '/a');
  ns.changePropagation('/a', 'shared');
  ns.bind('/a', '/b');
  ns.bind('/a', '/c');
  ns.changePropagation('/c', 'slave');
  return ns;
}

/** The model's mount at the top of the stack at `mountPoint`. */
function mountOf(ns: ModelNamespace, mountPoint: string) {
  const entry = ns.entries().filter((e) => e.mountPoint === mountPoint).at(-1)!;
  return [...ns.state.mntNs.mounts].find((m) => m.id === entry.id)!;
}

describe('the model on its own', () => {
  it('does the id allocator hand out the smallest free id, as the kernel IDA does?', () => {
    const ida = new Ida(1);
    expect([ida.alloc(), ida.alloc(), ida.alloc(), ida.alloc()]).toEqual([1, 2, 3, 4]);
    ida.free(3);
    ida.free(1);
    expect([ida.alloc(), ida.alloc(), ida.alloc()]).toEqual([1, 3, 5]);
  });

  it('does assertInvariants pass a consistent namespace?', () => {
    expect(() => assertInvariants(sharedWithPeerAndSlave())).not.toThrow();
  });

  it('does assertInvariants catch a peer ring that lost a member?', () => {
    const ns = sharedWithPeerAndSlave();
    const b = mountOf(ns, '/b');
    b.prevPeer.nextPeer = b.nextPeer;
    expect(() => assertInvariants(ns)).toThrow(InvariantError);
  });

  it('does assertInvariants catch a slave missing from its master\'s slave list?', () => {
    const ns = sharedWithPeerAndSlave();
    const c = mountOf(ns, '/c');
    c.master!.firstSlave = null;
    expect(() => assertInvariants(ns)).toThrow(/slave list/);
  });

  it('does assertInvariants catch a cycle of masters?', () => {
    const ns = sharedWithPeerAndSlave();
    const a = mountOf(ns, '/a');
    const c = mountOf(ns, '/c');
    c.shared = true;
    c.groupId = 99;
    a.master = c;
    expect(() => assertInvariants(ns)).toThrow(InvariantError);
  });

  it('does assertInvariants catch a mount whose parent left the namespace?', () => {
    const ns = sharedWithPeerAndSlave();
    ns.mkdir('/a/x');
    ns.mount('tmpfs', 'x', '/a/x');
    mountOf(ns, '/a').ns = null;
    expect(() => assertInvariants(ns)).toThrow(InvariantError);
  });

  it('does assertInvariants catch a mount id the allocator would hand out again?', () => {
    const ns = sharedWithPeerAndSlave();
    ns.state.mntNs.kernel.mountIds.free(mountOf(ns, '/b').id);
    expect(() => assertInvariants(ns)).toThrow(/mount id \d+ is in use but the allocator has it free/);
  });

  it('does assertInvariants catch a freed peer-group id that is not free, so it would not be the smallest?', () => {
    const ns = sharedWithPeerAndSlave();
    ns.state.mntNs.kernel.groupIds.alloc();
    expect(() => assertInvariants(ns)).toThrow(/peer-group ids in use and 0 free, but 2 were handed out/);
  });

  it('does assertInvariants catch a superblock that miscounts its mounts?', () => {
    const ns = sharedWithPeerAndSlave();
    mountOf(ns, '/a').sb.mountCount++;
    expect(() => assertInvariants(ns)).toThrow(/counts 4 mounts, 3 are live/);
  });

  it('does assertInvariants count a pinned mount out of the namespace as live?', () => {
    const ns = sharedWithPeerAndSlave();
    ns.pin('/b');
    ns.umount('/b', { lazy: true });
    expect(() => assertInvariants(ns)).not.toThrow();
  });

  it('do errors carry the syscall, paths and errno the kernel backend would report?', () => {
    const ns = sharedWithPeerAndSlave();
    const bind = () => ns.bind('/missing', '/b');
    expect(bind).toThrow(MountNotFoundError);
    expect(bind).toThrow(expect.objectContaining({ code: 'ENOENT', errno: -2, syscall: 'mount', path: '/missing', dest: '/b' }));
    expect(() => ns.setGroup('/a', '/b')).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'move_mount', path: '/a', dest: '/b', reason: expect.stringMatching(/already shared/) }),
    );
    expect(() => ns.umount('/a/missing')).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'umount2', path: '/a/missing' }));
    expect(() => ns.mkdir('/a')).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'mkdir', path: '/a' }));
    expect(() => ns.changePropagation('/', 'shared', { recursive: true })).not.toThrow();
    expect(() => ns.move('/a', '/a')).toThrow(MountInvalidArgumentError);
  });

  it('does a refused operation leave the model byte-identical?', () => {
    const ns = sharedWithPeerAndSlave();
    ns.mountMax = ns.mountCount + 2;
    const before = ns.mountinfo();
    ns.mkdir('/a/x');
    const afterMkdir = ns.mountinfo();
    expect(() => ns.mount('tmpfs', 'x', '/a/x')).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(ns.mountinfo()).toBe(afterMkdir);
    expect(afterMkdir).toBe(before);
    ns.mountMax = ns.mountCount + 3;
    ns.mount('tmpfs', 'x', '/a/x');
    expect(ns.mountCount).toBe(ns.mountMax);
  });

  it('do relative paths start at the working directory, the root?', () => {
    const ns = new ModelNamespace();
    expect(ns.cwd()).toBe('/');
    ns.mkdir('rel/dir', { recursive: true });
    ns.mount('tmpfs', 'r', 'rel/dir');
    expect(ns.entries().at(-1)!.mountPoint).toBe('/rel/dir');
  });

  it('does umount of the namespace root remount its filesystem read-only (do_umount_root), and refuse MNT_DETACH?', () => {
    const ns = new ModelNamespace();
    expect(() => ns.umount('/', { lazy: true })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    ns.umount('/');
    expect(ns.entries()[0]!.superOptions).toBe('ro');
    expect(ns.entries()[0]!.mountOptions).toBe('rw,relatime');
  });

  it('does a filesystem type outside the configured list fail with ENODEV, and one inside it succeed?', () => {
    const ns = new ModelNamespace({ filesystems: ['proc'] });
    expect(() => ns.mount('tmpfs', 't', '/')).toThrow(expect.objectContaining({ code: 'ENODEV' }));
    ns.mount('proc', 'proc', '/');
    expect(ns.entries().at(-1)!.fsType).toBe('proc');
  });
});
