// attach() and detach() against real "containers". Everything that mounts runs in a "host" child
// under unshare -m --propagation private (children/attach-host.ts), whose containers are its own
// children in further mount namespaces (children/attach-support.ts); every expected value here is
// read from the kernel's mountinfo of the host or the container.
import { beforeAll, describe, expect, it } from 'vitest';
import { becomeSlave, type Volume } from '../../src/attach/change.js';
import type { PropagationFlag } from '../../src/attach/flags.js';
import type { PropagationChanger } from '../../src/attach/route.js';
import { attach, detach, probeForeignPropagation, type AttachResult, type DetachResult, type ForeignPropagationProbe } from '../../src/attach/index.js';
import { attachCommand } from '../../src/cli/commands/attach.js';
import { detachCommand } from '../../src/cli/commands/detach.js';
import { mountError } from '../../src/core/errors.js';
import { probe } from '../../src/set-group/probe.js';
import type { MountInfo } from '../../src/mountinfo/types.js';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';
import type { Outcome } from './children/attach-support.js';

type Run = { status: number | null; stdout: string; stderr: string };
type Views = Record<string, Record<string, MountInfo[]>>;
interface HostReport {
  dir: string;
  probe: ForeignPropagationProbe;
  slaveAttach: Outcome<AttachResult>;
  slaveInner: number;
  attachedTwice: Outcome<AttachResult>;
  sharedAttach: Outcome<AttachResult>;
  sharedInner: number;
  detachAttach: Outcome<AttachResult>;
  detachResult: Outcome<DetachResult>;
  refusals: Record<string, Outcome<unknown>>;
  links: { attachThroughSourceLink: Outcome<AttachResult>; detachThroughTargetLink: Outcome<DetachResult>; attachThroughTargetLink: Outcome<AttachResult>; targetLinkToNotAVolume: Outcome<DetachResult> };
  rootlessShared: Outcome<AttachResult>;
  rootlessSlave: Outcome<AttachResult>;
  withoutSysAdmin: Run;
  inUserNamespace: Run;
  autoAttach: Outcome<AttachResult>;
  ownAttach: Outcome<AttachResult>;
  strayHelper: Run;
  cli: Record<'attach' | 'again' | 'detach' | 'badPid' | 'badMode', Run>;
  views: Views;
}

/** The value of a call that must have succeeded (its error, in the failure message, otherwise). */
function succeeded<T>(result: Outcome<T>): T {
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
  return (result as { value: T }).value;
}

/** The fields of a call that must have failed. */
function failed(result: Outcome<unknown>): { name: string; code?: string; syscall?: string; reason?: string } {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return result as { name: string; code?: string; syscall?: string; reason?: string };
}

/** The mount at `mountPoint` in a view (the topmost when stacked), or undefined. */
function at(entries: MountInfo[], mountPoint: string): MountInfo | undefined {
  return entries.filter((entry) => entry.mountPoint === mountPoint).at(-1);
}

function mountAt(entries: MountInfo[], mountPoint: string): MountInfo {
  const found = at(entries, mountPoint);
  expect(found, `a mount at ${mountPoint}`).toBeDefined();
  return found!;
}

function isPrivate(mount: MountInfo): boolean {
  return mount.shared === undefined && mount.master === undefined;
}

describe('attach and detach arguments (checked before any system call)', () => {
  it.each([
    ['no options', undefined, 'ERR_INVALID_ARG_TYPE', /"options" argument must be of type object/],
    ['a pid string', { pid: '12', source: '/s', target: '/t' }, 'ERR_INVALID_ARG_TYPE', /"options.pid" argument must be of type number/],
    ['pid 0', { pid: 0, source: '/s', target: '/t' }, 'ERR_INVALID_ARG_VALUE', /must be a process id/],
    ['a fractional pid', { pid: 1.5, source: '/s', target: '/t' }, 'ERR_INVALID_ARG_VALUE', /must be a process id/],
    ['a source fd', { pid: 1, source: 3, target: '/t' }, 'ERR_INVALID_ARG_TYPE', /"options.source" argument must be of type string/],
    ['a NUL in the source', { pid: 1, source: '/s\0x', target: '/t' }, 'ERR_INVALID_ARG_VALUE', /without null bytes/],
    ['a relative target', { pid: 1, source: '/s', target: 'data' }, 'ERR_INVALID_ARG_VALUE', /must be an absolute path/],
    ['an unknown mode', { pid: 1, source: '/s', target: '/t', mode: 'both' }, 'ERR_INVALID_ARG_VALUE', /must be one of 'slave', 'shared'/],
    ['an unknown route', { pid: 1, source: '/s', target: '/t', via: 'setns' }, 'ERR_INVALID_ARG_VALUE', /must be one of 'auto', 'caller', 'nsenter'/],
    ['an unknown option', { pid: 1, source: '/s', target: '/t', recursive: true }, 'ERR_INVALID_ARG_VALUE', /unknown option 'recursive'/],
  ])('attach with %s: TypeError', async (_name, options, code, message) => {
    const call = attach(options as never);
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it.each([
    ['a source (detach takes none)', { pid: 1, source: '/s', target: '/t' }, /unknown option 'source'/],
    ['a negative pid', { pid: -1, target: '/t' }, /must be a process id/],
    ['a relative target', { pid: 1, target: 't' }, /must be an absolute path/],
  ])('detach with %s: TypeError', async (_name, options, message) => {
    await expect(detach(options as never)).rejects.toMatchObject({ name: 'TypeError', message: expect.stringMatching(message) });
  });

  it('the commands explain on --help what attach does and how detach undoes it', () => {
    const help = (command: ReturnType<typeof attachCommand>) => {
      let text = '';
      command.configureOutput({ writeOut: (chunk) => (text += chunk) });
      command.outputHelp();
      return text;
    };
    const attachHelp = help(attachCommand());
    expect(attachHelp).toMatch(/Usage: attach \[options\] <pid> <source> <target>/);
    expect(attachHelp).toMatch(/set-group, from this process, through \/proc\/PID\/root\/TARGET/);
    expect(attachHelp).toMatch(/--mode <mode>[^]*\(choices:\s+"slave", "shared", default: "slave"\)/);
    expect(attachHelp).toMatch(/never changes this namespace's propagation/);
    expect(help(detachCommand())).toMatch(/Usage: detach \[options\] <pid> <target>[\s\S]*private again, with every mount below it/);
  });
});

describe("attach's second step undoes the first when it fails (a recording changer: no syscalls)", () => {
  const volume: Volume = { pid: process.pid, target: '/data', path: `/proc/${process.pid}/root/data`, fd: -1, namespace: 'mnt:[1]', mount: {} as MountInfo, sameNamespace: false };

  /** A changer that records each change and refuses with the next code of `refusals` (undefined: allowed). */
  function recording(refusals: (string | undefined)[]): { calls: PropagationFlag[][]; changer: PropagationChanger } {
    const calls: PropagationFlag[][] = [];
    const change = async (flags: readonly PropagationFlag[]) => {
      calls.push([...flags]);
      const code = refusals.shift();
      if (code) throw mountError(code, { syscall: 'mount', path: volume.path });
    };
    return { calls, changer: { via: 'caller', change, close: async () => {} } };
  }

  it('make-slave refused: the volume is made private again, and the refusal comes explained', async () => {
    const { calls, changer } = recording(['EINVAL']);
    await expect(becomeSlave(changer, volume)).rejects.toMatchObject({
      code: 'EINVAL',
      reason: expect.stringMatching(/does not let a process change the propagation of a mount in another mount namespace/),
    });
    expect(calls).toEqual([['MS_SLAVE'], ['MS_PRIVATE']]);
  });

  it('the undo refused as well: the error says what is left and how to clear it', async () => {
    const { calls, changer } = recording(['EPERM', 'EPERM']);
    await expect(becomeSlave(changer, volume)).rejects.toMatchObject({
      code: 'EPERM',
      reason: expect.stringMatching(/lacks CAP_SYS_ADMIN.*; undoing the set-group failed as well \(EPERM\): the volume '\/data' is left a peer of the source; run mount-set-group detach/),
    });
    expect(calls).toEqual([['MS_SLAVE'], ['MS_PRIVATE']]);
  });

  it('make-slave allowed: one change, nothing undone', async () => {
    const { calls, changer } = recording([]);
    await becomeSlave(changer, volume);
    expect(calls).toEqual([['MS_SLAVE']]);
  });
});

const foreign = kernelUnavailable ? undefined : probeForeignPropagation();
const routes = foreign?.allowed === false ? (['nsenter'] as const) : (['caller', 'nsenter'] as const);
/** The set-group form attach takes ('auto': mount(2) on the patched kernel, else move_mount), which the kernel's refusals name. */
const setGroupForm = kernelUnavailable ? undefined : probe().preferred;

describe.skipIf(kernelUnavailable)(kernelSuite('probing where a foreign mount\'s propagation can change'), () => {
  it('the probe ran in its throwaway child and gave an answer', () => {
    expect(foreign).toMatchObject({ probed: true, allowed: expect.any(Boolean) });
  });
});

describe.each(routes)('attach and detach via %s', (via) => {
  describe.skipIf(kernelUnavailable)(kernelSuite('into running containers'), () => {
    let r: HostReport;
    beforeAll(() => {
      r = runChild<HostReport>(new URL('./children/attach-host.ts', import.meta.url), [via]);
    });
    const source = (name: string) => `${r.dir}/${name}`;

    it('slave: a mount made on the host under the source after attach shows up in the container, as a slave of it', () => {
      const result = succeeded(r.slaveAttach);
      const { host, container } = r.views.slave!;
      const [hostSource, hostMount] = [mountAt(host!, source('slave')), mountAt(host!, source('slave/from-host'))];
      const [volume, propagated] = [mountAt(container!, '/data'), mountAt(container!, '/data/from-host')];
      expect(result).toMatchObject({ via, mode: 'slave', target: '/data' });
      expect(result.volume).toEqual(volume);
      expect(volume.master).toBe(hostSource.shared);
      expect(volume.shared).toBeUndefined();
      expect(propagated).toMatchObject({ parentId: volume.id, source: 'from-host', master: hostMount.shared });
    });

    it('slave: a mount made inside the container does not come back to the host', () => {
      expect(r.slaveInner).toBe(0);
      expect(mountAt(r.views.slave!.container!, '/data/from-container').source).toBe('from-container');
      expect(at(r.views.slave!.host!, source('slave/from-container'))).toBeUndefined();
    });

    it('shared: the volume is a peer of the source, and mounts go both ways', () => {
      const result = succeeded(r.sharedAttach);
      const { host, container } = r.views.shared!;
      const volume = mountAt(container!, '/data');
      expect(result).toMatchObject({ mode: 'shared', via: 'caller' });
      expect(volume.shared).toBe(mountAt(host!, source('shared')).shared);
      expect(volume.master).toBeUndefined();
      expect(mountAt(container!, '/data/from-host').shared).toBe(mountAt(host!, source('shared/from-host')).shared);
      expect(r.sharedInner).toBe(0);
      expect(mountAt(host!, source('shared/from-container')).shared).toBe(mountAt(container!, '/data/from-container').shared);
    });

    it('detach: the volume and the mounts below it turn private; later host mounts stay on the host', () => {
      succeeded(r.detachAttach);
      const result = succeeded(r.detachResult);
      const { host, container } = r.views.detach!;
      expect(result.via).toBe(via);
      expect(result.volume).toEqual(mountAt(container!, '/data'));
      expect(isPrivate(mountAt(container!, '/data'))).toBe(true);
      expect(isPrivate(mountAt(container!, '/data/before'))).toBe(true);
      for (const later of ['after', 'before/nested']) {
        expect(mountAt(host!, source(`detach/${later}`)).source).toBe(later.split('/').at(-1));
        expect(at(container!, `/data/${later}`)).toBeUndefined();
      }
    });

    it.each([
      ['targetNotVolume', 'EINVAL', 'attach', /the target '\/data\/sub' is not the root of a mount in process \d+'s namespace \(it lies inside the mount at '\/data'\)/],
      ['targetMissing', 'ENOENT', 'openat2', /'\/nowhere' does not exist in the mount namespace of process \d+/],
      ['argumentsSwapped', 'ENOENT', 'attach', /^the arguments look swapped: '.*\/refuse' is a shared mount here and '\/data' a volume of process (\d+); .*: mount-set-group attach \1 .*\/refuse \/data$/],
      // An absolute link in the container resolves inside its root (RESOLVE_IN_ROOT): to the container's own root mount, never the host's.
      ['targetLinkToRoot', 'EINVAL', setGroupForm, /different filesystems .*\('\/proc\/\d+\/root\/data\/escape' is a symbolic link to '\/'\)$/],
      ['differentFilesystems', 'EINVAL', setGroupForm, /different filesystems \(device \d+:\d+ and \d+:\d+\)/],
      ['sourceNotMountRoot', 'EINVAL', 'attach', /the source '.*\/refuse\/sub' is not the root of a mount \(it lies inside the mount at '.*\/refuse'\)/],
      ['sourceNotShared', 'EINVAL', 'attach', /the source '.*\/private' is private, not shared: .*make it shared first/],
      ['processGone', 'ESRCH', 'open', /process \d+ does not exist/],
      ['detachNotVolume', 'EINVAL', 'detach', /the target '\/data\/sub' is not the root of a mount/],
      ['detachProcessGone', 'ESRCH', 'open', /process \d+ does not exist/],
    ])('%s: %s, with the rule in reason', (name, code, syscall, reason) => {
      const failure = failed(r.refusals[name]!);
      expect(failure).toMatchObject({ code, syscall });
      expect(failure.reason).toMatch(reason);
    });

    it('a symbolic link means the same to the checks and the calls: a source link and a target link inside the container are followed', () => {
      const { attachThroughSourceLink, detachThroughTargetLink, attachThroughTargetLink } = r.links;
      expect(succeeded(attachThroughSourceLink).volume).toMatchObject({ mountPoint: '/data', master: expect.any(Number) });
      expect(succeeded(detachThroughTargetLink).volume).toMatchObject({ mountPoint: '/data' });
      const attached = succeeded(attachThroughTargetLink);
      expect(attached.volume).toMatchObject({ mountPoint: '/data' });
      const { host, container } = r.views.linked!;
      expect(mountAt(container!, '/data').master).toBe(mountAt(host!, source('linked')).shared);
    });

    it('a target link that leads to no volume: the reason names the link', () => {
      const failure = failed(r.links.targetLinkToNotAVolume);
      expect(failure.code).toBe('EINVAL');
      expect(failure.reason).toMatch(/the target '\/sublink' is not the root of a mount .*\('\/proc\/\d+\/root\/sublink' is a symbolic link to '\/data\/sub'\)$/);
    });

    it('a refused attach changes nothing: the volumes stay private', () => {
      expect(isPrivate(mountAt(r.views.refuse!.container!, '/data'))).toBe(true);
      expect(isPrivate(mountAt(r.views.refuse!.other!, '/other'))).toBe(true);
    });

    it('attaching a volume twice: EINVAL, it is already a slave of the group', () => {
      const failure = failed(r.attachedTwice);
      expect(failure.code).toBe('EINVAL');
      const master = mountAt(r.views.slave!.container!, '/data').master;
      expect(failure.reason).toContain(`is already a slave (master:${master})`);
      expect(failure.reason).toMatch(/make it private first: mount-set-group detach \d+ \/data$/);
    });

    it("a rootless container (own user namespace): 'shared' is refused with EPERM, 'slave' works", () => {
      const refused = failed(r.rootlessShared);
      expect(refused).toMatchObject({ name: 'MountPermissionError', code: 'EPERM' });
      expect(refused.reason).toMatch(/another user namespace \(a rootless container\).*use mode 'slave'/);
      const { host, container } = r.views.rootless!;
      expect(succeeded(r.rootlessSlave).via).toBe(via);
      expect(mountAt(container!, '/data').master).toBe(mountAt(host!, source('rootless')).shared);
      expect(mountAt(container!, '/data/from-host').master).toBe(mountAt(host!, source('rootless/from-host')).shared);
    });

    it('a caller without CAP_SYS_ADMIN: EPERM, from set-group or from entering the namespace', () => {
      expect(r.withoutSysAdmin.status, r.withoutSysAdmin.stderr).toBe(0);
      const failure = failed(JSON.parse(r.withoutSysAdmin.stdout) as Outcome<unknown>);
      expect(failure).toMatchObject({ name: 'MountPermissionError', code: 'EPERM' });
      expect(failure.reason).toMatch(via === 'caller' ? /lacks CAP_SYS_ADMIN/ : /cannot enter the mount namespace of process \d+ .*needs CAP_SYS_ADMIN/);
      expect(isPrivate(mountAt(r.views.unprivileged!.container!, '/data'))).toBe(true);
    });

    it('a caller in a user namespace of its own cannot even reach the container: EACCES', () => {
      const failure = failed(JSON.parse(r.inUserNamespace.stdout) as Outcome<unknown>);
      expect(failure.code).toBe('EACCES');
      expect(failure.reason).toMatch(/needs ptrace access/);
    });

    it("'auto' takes the route the probe allows", () => {
      expect(r.probe).toEqual(foreign);
      expect(succeeded(r.autoAttach).via).toBe(foreign!.allowed ? 'caller' : 'nsenter');
    });

    it("a volume of the caller's own namespace: attached the same way", () => {
      const { host, volume } = r.views.own!;
      expect(succeeded(r.ownAttach).via).toBe(via);
      expect(mountAt(volume!, `${r.dir}/own-volume`).master).toBe(mountAt(host!, source('own')).shared);
      expect(mountAt(volume!, `${r.dir}/own-volume/from-source`).master).toBe(mountAt(host!, source('own/from-source')).shared);
    });

    it('the nsenter helper refuses to act outside the namespace it was started for', () => {
      expect(r.strayHelper.status).not.toBe(0);
      expect(r.strayHelper.stdout).not.toContain('ready');
      expect(r.strayHelper.stderr).toMatch(/refusing: this helper is in mount namespace mnt:\[\d+\], not mnt:\[1\]/);
    });

    it('the CLI: --json result, exit 1 with the reason on a refusal, exit 2 on a wrong command line', () => {
      const { attach: attached, again, detach: detached, badPid, badMode } = r.cli;
      expect(attached.status, attached.stderr).toBe(0);
      const result = JSON.parse(attached.stdout) as AttachResult;
      expect(result).toMatchObject({ target: '/data', mode: 'slave', via, volume: { master: expect.any(Number) } });
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/^mount-set-group: EINVAL: invalid argument, attach '.*' -> '\/proc\/\d+\/root\/data': the volume '\/data' .* is already a slave \(master:\d+\)/);
      expect(again.stderr.trim().split('\n')).toHaveLength(1);
      expect(detached.status, detached.stderr).toBe(0);
      expect(detached.stdout).toMatch(/^detached \/data in process \d+: it and every mount below it are private/);
      expect(isPrivate(mountAt(r.views.cli!.container!, '/data'))).toBe(true);
      expect([badPid.status, badMode.status]).toEqual([2, 2]);
      expect(badPid.stderr).toMatch(/PID must be a process id/);
    });
  });
});
