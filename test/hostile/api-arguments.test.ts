// Hostile arguments to the API: each is refused with a TypeError carrying Node's code before any
// system call. These run in the test runner, where the addon cannot load (vitest.config.ts): an
// argument that slipped through to a syscall would fail with AddonUnavailableError instead, which
// the control cases below show is what a well-formed call gets here.
import { describe, expect, it } from 'vitest';
import { attach, detach } from '../../src/attach/index.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { KernelNamespace } from '../../src/kernel/namespace.js';
import type { MountNamespace } from '../../src/core/namespace.js';
import { ModelNamespace } from '../../src/model/index.js';
import { AddonUnavailableError } from '../../src/native/addon.js';
import { dump } from '../../src/restore/dump.js';
import { planRestore } from '../../src/restore/plan.js';
import { restore, RestoreRefusedError } from '../../src/restore/restore.js';
import { loadTopology } from '../../src/restore/topology.js';
import { setGroup } from '../../src/set-group/set-group.js';

type Code = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE';

/** `call` throws our TypeError with `code`, naming the argument. */
function expectRefused(call: () => unknown, code: Code, argument: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect(thrown).toMatchObject({ code, message: expect.stringContaining(argument) });
}

/** `call` got past every argument check: it reached the addon, which cannot load here. */
function expectReachedAddon(call: () => unknown): void {
  expect(call).toThrow(AddonUnavailableError);
}

describe('setGroup: hostile paths and fds', () => {
  it.each([
    ['Infinity', Infinity, 'ERR_INVALID_ARG_VALUE'],
    ['-Infinity', -Infinity, 'ERR_INVALID_ARG_VALUE'],
    ['2^53', 2 ** 53, 'ERR_INVALID_ARG_VALUE'],
    ['2^32 + 1 (which a 32-bit cast would make fd 1)', 2 ** 32 + 1, 'ERR_INVALID_ARG_VALUE'],
    ['a boolean', true, 'ERR_INVALID_ARG_TYPE'],
    ['a symbol', Symbol('fd'), 'ERR_INVALID_ARG_TYPE'],
    ['an array of one path', ['/a'], 'ERR_INVALID_ARG_TYPE'],
    ['a function', () => '/a', 'ERR_INVALID_ARG_TYPE'],
    ['a URL object', new URL('file:///a'), 'ERR_INVALID_ARG_TYPE'],
    ['a String object', Object('/a'), 'ERR_INVALID_ARG_TYPE'],
    ['a path that is one NUL byte', '\0', 'ERR_INVALID_ARG_VALUE'],
    ['a path with a NUL byte at the end', '/a\0', 'ERR_INVALID_ARG_VALUE'],
  ] as const)('target as %s: %s', (_what, value, code) => {
    expectRefused(() => setGroup('/source', value as never), code, 'target');
  });

  it.each([
    ['a relative path (resolved against process.cwd(), as in fs)', 'relative/dir'],
    ['fd 0', 0],
    ['fd 2^31-1 (whether it is open is the kernel\'s EBADF)', 2 ** 31 - 1],
    ['a path of 100,000 characters (the kernel\'s ENAMETOOLONG)', `/${'x'.repeat(100_000)}`],
    ['a path of control characters', '/\u0001\u007f\n'],
  ])('%s is well-formed: it reaches the addon', (_what, value) => {
    expectReachedAddon(() => setGroup(value, '/target', { method: 'move_mount' }));
  });

  it.each([
    ['null options', null, 'ERR_INVALID_ARG_TYPE'],
    ['an array as options', ['mount'], 'ERR_INVALID_ARG_TYPE'],
    ['a method in another case', { method: 'MOUNT' }, 'ERR_INVALID_ARG_VALUE'],
    ['a method of the wrong type', { method: 1 }, 'ERR_INVALID_ARG_VALUE'],
    ['an extra option', { method: 'auto', force: true }, 'ERR_INVALID_ARG_VALUE'],
  ] as const)('%s: %s', (_what, options, code) => {
    expectRefused(() => setGroup('/source', '/target', options as never), code, 'options');
  });
});

describe.each([
  ['KernelNamespace', () => new KernelNamespace()],
  ['ModelNamespace', () => new ModelNamespace()],
] as const)('%s: every operation checks its arguments before it acts', (backend, make) => {
  const ns: MountNamespace = make();
  it.each([
    ['mkdir a number', () => ns.mkdir(1 as never), 'ERR_INVALID_ARG_TYPE', 'path'],
    ['mkdir a path with NUL', () => ns.mkdir('/tmp/a\0b'), 'ERR_INVALID_ARG_VALUE', 'path'],
    ['mkdir an empty path', () => ns.mkdir(''), 'ERR_INVALID_ARG_VALUE', 'path'],
    ['mkdir an unknown option', () => ns.mkdir('/tmp/x', { parents: true } as never), 'ERR_INVALID_ARG_VALUE', 'parents'],
    ['mount an empty fs type', () => ns.mount('', 'src', '/mnt'), 'ERR_INVALID_ARG_VALUE', 'fsType'],
    ['mount a source with NUL', () => ns.mount('tmpfs', 'a\0b', '/mnt'), 'ERR_INVALID_ARG_VALUE', 'source'],
    ['mount a null source', () => ns.mount('tmpfs', null as never, '/mnt'), 'ERR_INVALID_ARG_TYPE', 'source'],
    ['mount a target that is a number', () => ns.mount('tmpfs', 's', 5 as never), 'ERR_INVALID_ARG_TYPE', 'target'],
    ['mount data with NUL', () => ns.mount('tmpfs', 's', '/mnt', { data: 'size=1m\0,mode=0' }), 'ERR_INVALID_ARG_VALUE', 'options.data'],
    ['mount the option readOnly, which flags: [\'ro\'] replaced', () => ns.mount('tmpfs', 's', '/mnt', { readOnly: true } as never), 'ERR_INVALID_ARG_VALUE', 'readOnly'],
    ['mount flags that are a string', () => ns.mount('tmpfs', 's', '/mnt', { flags: 'ro' } as never), 'ERR_INVALID_ARG_TYPE', 'options.flags'],
    ['mount flags that are a bit mask', () => ns.mount('tmpfs', 's', '/mnt', { flags: 1 } as never), 'ERR_INVALID_ARG_TYPE', 'options.flags'],
    ['mount an unknown flag', () => ns.mount('tmpfs', 's', '/mnt', { flags: ['nosuid', 'rdonly'] } as never), 'ERR_INVALID_ARG_VALUE', 'options.flags[1]'],
    ['remount-bind a null target', () => ns.remountBind(null as never, []), 'ERR_INVALID_ARG_TYPE', 'target'],
    ['remount-bind a handle of -1', () => ns.remountBind({ handle: -1 }, []), 'ERR_INVALID_ARG_VALUE', 'target.handle'],
    ['remount-bind without flags', () => ns.remountBind('/mnt', undefined as never), 'ERR_INVALID_ARG_TYPE', 'flags'],
    ['remount-bind a flag in another case', () => ns.remountBind('/mnt', ['RO'] as never), 'ERR_INVALID_ARG_VALUE', 'flags[0]'],
    ['remount-bind a negation (the absence of a flag is its negation)', () => ns.remountBind('/mnt', ['rw'] as never), 'ERR_INVALID_ARG_VALUE', 'flags[0]'],
    ['bind an undefined source', () => ns.bind(undefined as never, '/mnt'), 'ERR_INVALID_ARG_TYPE', 'source'],
    ['bind a recursive typo', () => ns.bind('/a', '/b', { rec: true } as never), 'ERR_INVALID_ARG_VALUE', 'rec'],
    ['move an empty target', () => ns.move('/a', ''), 'ERR_INVALID_ARG_VALUE', 'target'],
    ['umount an object', () => ns.umount({} as never), 'ERR_INVALID_ARG_TYPE', 'target'],
    ['umount a force option', () => ns.umount('/mnt', { force: true } as never), 'ERR_INVALID_ARG_VALUE', 'force'],
    ['make an unknown propagation', () => ns.changePropagation('/mnt', 'bogus' as never), 'ERR_INVALID_ARG_VALUE', 'type'],
    ['make-shared a handle of 1.5', () => ns.changePropagation({ handle: 1.5 }, 'shared'), 'ERR_INVALID_ARG_VALUE', 'target.handle'],
    ['set-group a null source', () => ns.setGroup(null as never, '/b'), 'ERR_INVALID_ARG_TYPE', 'source'],
    ['set-group a handle that is a string', () => ns.setGroup({ handle: '3' } as never, '/b'), 'ERR_INVALID_ARG_TYPE', 'source.handle'],
    ['pin a path with NUL', () => ns.pin('/a\0'), 'ERR_INVALID_ARG_VALUE', 'path'],
    ['unpin a handle of 1.5 (which C would close as fd 1)', () => ns.unpin({ handle: 1.5 }), 'ERR_INVALID_ARG_VALUE', 'handle.handle'],
    ['unpin NaN (which C would close as fd 0)', () => ns.unpin({ handle: Number.NaN }), 'ERR_INVALID_ARG_VALUE', 'handle.handle'],
    ['unpin a handle of 2^32 + 2', () => ns.unpin({ handle: 2 ** 32 + 2 }), 'ERR_INVALID_ARG_VALUE', 'handle.handle'],
    ['unpin null', () => ns.unpin(null as never), 'ERR_INVALID_ARG_TYPE', 'handle.handle'],
  ] as const)('%s: %s', (_what, call, code, argument) => {
    expectRefused(call, code, argument);
  });

});

describe('KernelNamespace: what passes the checks goes to the kernel', () => {
  it('well-formed calls, relative paths among them, reach the addon', () => {
    const ns = new KernelNamespace();
    expectReachedAddon(() => ns.mount('tmpfs', '', 'relative'));
    expectReachedAddon(() => ns.changePropagation({ handle: 3 }, 'private'));
    expectReachedAddon(() => ns.remountBind({ handle: 3 }, ['ro', 'nosuid', 'strictatime']));
    expectReachedAddon(() => ns.mount('tmpfs', 's', '/mnt', { flags: [], data: '' }));
    expectReachedAddon(() => ns.unpin({ handle: 2 ** 31 - 1 }));
  });
});

describe('attach and detach: options refused before anything is looked at', () => {
  const good = { pid: 1, source: '/srv/data', target: '/data' };
  it.each([
    ['no options', undefined, 'ERR_INVALID_ARG_TYPE', 'options'],
    ['a pid of 0', { ...good, pid: 0 }, 'ERR_INVALID_ARG_VALUE', 'options.pid'],
    ['a negative pid', { ...good, pid: -1 }, 'ERR_INVALID_ARG_VALUE', 'options.pid'],
    ['a fractional pid', { ...good, pid: 1.5 }, 'ERR_INVALID_ARG_VALUE', 'options.pid'],
    ['a pid above PID_MAX_LIMIT', { ...good, pid: 4_194_305 }, 'ERR_INVALID_ARG_VALUE', 'options.pid'],
    ['a pid as a string', { ...good, pid: '1' }, 'ERR_INVALID_ARG_TYPE', 'options.pid'],
    ['an empty source', { ...good, source: '' }, 'ERR_INVALID_ARG_VALUE', 'options.source'],
    ['a relative target (no cwd in another namespace)', { ...good, target: 'data' }, 'ERR_INVALID_ARG_VALUE', 'options.target'],
    ['a target with NUL', { ...good, target: '/data\0/../etc' }, 'ERR_INVALID_ARG_VALUE', 'options.target'],
    ['an unknown mode', { ...good, mode: 'both' }, 'ERR_INVALID_ARG_VALUE', 'options.mode'],
    ['an unknown route', { ...good, via: 'ssh' }, 'ERR_INVALID_ARG_VALUE', 'options.via'],
    ['an extra option', { ...good, force: true }, 'ERR_INVALID_ARG_VALUE', 'force'],
  ])('attach with %s: %s', async (_what, options, code, argument) => {
    const refusal = attach(options as never);
    await expect(refusal).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(refusal).rejects.toMatchObject({ code, message: expect.stringContaining(argument) });
  });

  it.each([
    ['a source option (detach takes none)', { pid: 1, target: '/data', source: '/srv' }, 'ERR_INVALID_ARG_VALUE', 'source'],
    ['a target that is a number', { pid: 1, target: 3 }, 'ERR_INVALID_ARG_TYPE', 'options.target'],
    ['null', null, 'ERR_INVALID_ARG_TYPE', 'options'],
  ])('detach with %s: %s', async (_what, options, code, argument) => {
    await expect(detach(options as never)).rejects.toMatchObject({ name: 'TypeError', code, message: expect.stringContaining(argument) });
  });
});

describe('restore: places that are not absolute, normalized and apart are refused before anything is done', () => {
  const topology = loadTopology({
    schema: 'mount-set-group/topology', version: 1, under: '/', mounts: [
      { id: 1, parent: null, mountPoint: '/', root: '/', fsType: 'tmpfs', source: 't', superblock: '0:1', mountOptions: 'rw', superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false },
    ],
  });

  it.each([
    ['no options', undefined, 'ERR_INVALID_ARG_TYPE', '"options"'],
    ['no staging', { into: '/srv' }, 'ERR_INVALID_ARG_TYPE', 'options.staging'],
    ['no into', { staging: '/staging' }, 'ERR_INVALID_ARG_TYPE', 'options.into'],
    ['a relative into', { into: 'restored', staging: '/staging' }, 'ERR_INVALID_ARG_VALUE', 'options.into'],
    ['an into with ..', { into: '/srv/../etc', staging: '/staging' }, 'ERR_INVALID_ARG_VALUE', 'options.into'],
    ['an into with a trailing slash', { into: '/srv/', staging: '/staging' }, 'ERR_INVALID_ARG_VALUE', 'options.into'],
    ['an into with NUL', { into: '/srv\0', staging: '/staging' }, 'ERR_INVALID_ARG_VALUE', 'options.into'],
    ['a relative staging', { into: '/srv', staging: 'tmp' }, 'ERR_INVALID_ARG_VALUE', 'options.staging'],
    ['an unknown option', { into: '/srv', staging: '/staging', stagin: '/x' }, 'ERR_INVALID_ARG_VALUE', "unknown option 'stagin'"],
  ] as const)('%s: a TypeError %s naming it, from planRestore() and restore()', (_what, places, code, argument) => {
    expectRefused(() => planRestore(topology, places as never), code, argument);
    const ns = new ModelNamespace();
    const before = ns.mountinfo();
    expectRefused(() => restore(ns, topology, places as never), code, argument);
    expect(ns.mountinfo()).toBe(before);
  });

  it.each([
    ['a staging inside into', { into: '/srv', staging: '/srv/staging' }],
    ['an into inside staging', { into: '/tmp/s/into', staging: '/tmp/s' }],
    ['into and staging the same', { into: '/srv', staging: '/srv' }],
  ])('%s: a plan problem, and restore refuses it with nothing done', (_what, places) => {
    expect(planRestore(topology, places).problems).toContainEqual(expect.stringMatching(/must not contain one another/));
    const ns = new ModelNamespace();
    const before = ns.mountinfo();
    expect(() => restore(ns, topology, places)).toThrow(RestoreRefusedError);
    expect(ns.mountinfo()).toBe(before);
  });
});

describe('dump: entries and a directory to dump under', () => {
  it.each([
    ['no entries', undefined, '/', 'ERR_INVALID_ARG_TYPE', '"entries"'],
    ['mountinfo text instead of entries', '1 1 0:1 / / rw - t t rw\n', '/', 'ERR_INVALID_ARG_TYPE', '"entries"'],
    ['a relative directory', [], 'srv', 'ERR_INVALID_ARG_VALUE', "'under'"],
    ['a directory with ..', [], '/srv/..', 'ERR_INVALID_ARG_VALUE', "'under'"],
  ] as const)('%s: a TypeError %s', (_what, entries, under, code, argument) => {
    expectRefused(() => dump(entries as never, under), code, argument);
  });
});
