// Restore on a shared-root host (`mount --make-rshared /` inside the test's own namespace, as
// systemd sets hosts up), with a peer of the mount the restore works in: the restore succeeds
// without extra flags, on a private bind of --into onto itself; the peer receives that bind (the
// directory it already showed) and nothing else that lasts — no restored mount, nothing under the
// bind; the staging tmpfs only while the restore runs, empty. A failure leaves everything as it was,
// and so does taking the restore down. A second restore into the same --into is refused up front.
// --into in a slave mount is held too; in a private one the restore builds in place.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { privateNamespaceCommand } from '../../src/process/child.js';
import { scenarioOfSeed, scenarioText } from '../differential/generator.js';
import type { CliRun } from '../hostile/support/cli.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';
import type { Attempt } from './children/shared-host.js';

interface Report {
  mounts: number;
  peer: string;
  into: string;
  peerBefore: string[];
  seenAtPeer: string[];
  peerWhileRestored: string[];
  intoWhileRestored: string[];
  restored: Attempt;
  twice: Attempt;
  twiceChanged: boolean;
  afterTakeDown: { same: boolean; peer: string[] };
  failing: Attempt;
  afterFailure: { same: boolean; peer: string[] };
  cli: Record<'dryRun' | 'restore' | 'again', CliRun>;
  peerAfterCli: string[];
  intoSlave: Attempt;
  masterBefore: string[];
  masterAfter: string[];
  intoPrivate: Attempt;
  privateView: string[];
}

describe.skipIf(kernelUnavailable)(kernelSuite('restore on a shared-root host'), () => {
  let r: Report;
  beforeAll(() => {
    const [command, args] = privateNamespaceCommand(new URL('./children/shared-host.ts', import.meta.url));
    const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...env } = process.env;
    const input = scenarioText(scenarioOfSeed({ minOps: 20, maxOps: 40 }, 16));
    const child = spawnSync(command, args, { input, encoding: 'utf8', env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    if (child.status !== 0) throw new Error(child.stderr);
    r = JSON.parse(child.stdout) as Report;
  });

  /** The peer's copy of `path` under the work directory. */
  const atPeer = (path: string) => path.replace(/\/work(?=\/|$)/, '/peer');

  it('succeeds without extra flags, on a private bind of --into onto itself', () => {
    expect(r.restored).toEqual({ ok: true, held: true });
    expect(r.intoWhileRestored[0]).toBe(`${r.into} ${r.into.replace(/^.*(?=\/work\/)/, '')}`);
    expect(r.intoWhileRestored).toHaveLength(r.mounts + 1);
  });

  it('the peer receives the private bind alone (the directory it already showed), and nothing below it', () => {
    expect(r.peerBefore).toHaveLength(1);
    const holderCopy = expect.stringMatching(new RegExp(`^${atPeer(r.into)} /work/x/dst shared:\\d+$`));
    expect(r.peerWhileRestored).toEqual([r.peerBefore[0], holderCopy]);
  });

  it('while it ran, the peer saw only that bind and, for a while, the staging tmpfs — never a restored mount', () => {
    const mountPoints = new Set(r.seenAtPeer.map((line) => line.split(' ')[0]));
    expect(mountPoints).toEqual(new Set([r.peer, atPeer(r.into), atPeer(r.into.replace(/\/x\/dst$/, '/staging'))]));
  });

  it('a second restore into the same --into is refused before anything happens', () => {
    expect(r.twice.ok).toBe(false);
    expect(r.twice.error).toMatchObject({ name: 'RestoreRefusedError', code: 'ERR_RESTORE_REFUSED' });
    expect(r.twice.error!.message).toMatch(/--into '.*\/x\/dst' is already a mount point \(mount \d+: .*\): a restore is there already, or something else is mounted on it; unmount it first \(umount -R .*\/x\/dst, again until nothing is mounted there/);
    expect(r.twiceChanged).toBe(false);
  });

  it('taken down (umount -R), the namespace is as before, the peer included', () => {
    expect(r.afterTakeDown).toEqual({ same: true, peer: r.peerBefore });
  });

  it('a restore that fails half-way on the shared host leaves nothing: not the bind, not the staging tmpfs, not at the peer', () => {
    expect(r.failing.error).toMatchObject({ name: 'RestoreStepError', code: 'ERR_RESTORE_STEP' });
    expect(r.failing.error!.message).toMatch(/mount --bind .*\/no-such-external .*: ENOENT.*; everything it made was undone$/);
    expect(r.afterFailure).toEqual({ same: true, peer: r.peerBefore });
  });

  it('the CLI: --dry-run shows the decision, the restore says where it built, a second run is refused', () => {
    const { dryRun, restore, again } = r.cli;
    expect(dryRun).toMatchObject({ status: 0, stderr: '' });
    const notes = dryRun.stdout.split('\n').filter((line) => line.startsWith('# '));
    expect(notes[1]).toMatch(/^# --into .*\/cli\/dst lies in the mount at .*, which is shared \(shared:\d+\): the restore first binds --into onto itself and makes that bind private/);
    expect(notes[2]).toMatch(/^# the staging directory .*\/cli-staging lies in the mount at .*, which is shared \(shared:\d+\): the staging tmpfs is made private before anything is put in it; until the restore ends, that mount's peers see the staging tmpfs, empty$/);
    expect(dryRun.stdout).toMatch(/\nmount --bind (\S+\/cli\/dst) \1\nmount --make-private \1\n/);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/^restored \d+ mounts at .*\/cli\/dst \(kernel\): .* the result matches the topology\n {2}on a private bind of .*\/cli\/dst onto itself: it lies in a shared \(shared:\d+\) mount \(at .*\); umount -R .*\/cli\/dst twice takes down the tree, then the bind\n$/);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^mount-set-group: cannot restore this topology exactly: --into '.*\/cli\/dst' is already a mount point/);
    expect(r.peerAfterCli.filter((line) => line.includes('/cli/dst/'))).toEqual([]);
  });

  it('--into in a slave mount: held too, and nothing reaches the master', () => {
    expect(r.intoSlave).toEqual({ ok: true, held: true });
    expect(r.masterAfter).toEqual(r.masterBefore);
  });

  it('--into in a private mount: built in place', () => {
    expect(r.intoPrivate).toEqual({ ok: true, held: false });
    expect(r.privateView).toHaveLength(r.mounts);
  });
});
