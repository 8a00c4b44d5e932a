// A set of mount namespaces from the command line (the README's worked example): a host and two
// "containers" sharing a volume, one as a peer and one as a slave, dumped as one document, torn
// down, restored each in a new namespace on the kernel (and on the model), shown and dumped again.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TopologySet } from '../../src/restore/topology.js';
import { compareTopologySets } from '../../src/restore/restore-set.js';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';

type Run = { status: number; stdout: string; stderr: string };
type Result = { dir: string; inPeer: number; dump: Run; document: TopologySet; shownBefore: Run; dryRun: Run; model: Run; kernel: Run; shownAfter: Run; graph: Run; dumpAgain: Run };

describe.skipIf(kernelUnavailable)(kernelSuite('mount-set-group dump / restore of a set of namespaces'), () => {
  let r: Result;
  beforeAll(() => {
    r = runChild<Result>(new URL('./children/set-dump-restore.ts', import.meta.url));
  });

  it('dumps the three namespaces as one version 3 document: one group across host and web, db its slave', () => {
    expect(r.inPeer).toBe(0);
    expect(r.dump).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(r.document.version).toBe(3);
    const [host, web, db] = r.document.namespaces;
    expect([host!.name, web!.name, db!.name]).toEqual(['host', 'web', 'db']);
    const volumeOf = (ns: typeof host) => ns!.mounts.find((mount) => mount.mountPoint === '/vol')!;
    expect(volumeOf(web).group).toBe(volumeOf(host).group);
    expect(volumeOf(db).master).toBe(volumeOf(host).group);
    expect(web!.mounts.map((mount) => mount.mountPoint)).toContain('/app/cache');
    expect(host!.mounts.map((mount) => mount.mountPoint)).not.toContain('/app/cache');
  });

  it('shows the set with a NAMESPACE column', () => {
    expect(r.shownBefore.stdout.split('\n')[0]).toMatch(/^NAMESPACE +TARGET +SOURCE +FSTYPE +PROPAGATION$/);
    expect(r.shownBefore.stdout).toMatch(/^db +.*\/vol +volume +tmpfs +master:\d+$/m);
  });

  it('prints the plan of a set on --dry-run: each step with the namespace it runs in', () => {
    expect(r.dryRun.status).toBe(0);
    const lines = r.dryRun.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^# plan: restore 13 mounts of 3 mount namespaces, each at .*\/restored in a new one, in \d+ steps$/);
    expect(lines.filter((line) => line.startsWith('db: move_mount --clone-of ')).length).toBeGreaterThan(0);
    expect(lines).toContain(`db: umount -l ${r.dir}/staging`);
    expect(lines.filter((line) => /^db: mount --set-group .* {2}# source in host$/.test(line)).length).toBeGreaterThan(0);
  });

  it('restores the set on the model and on the kernel, each namespace anew, held by a process it names', () => {
    expect(r.model.stdout).toMatch(/^restored 13 mounts in 3 mount namespaces at .*\(model\): .* the result matches the set$/m);
    expect(r.kernel.status).toBe(0);
    const outcome = JSON.parse(r.kernel.stdout) as { namespaces: { name: string; pid: number; enter: string }[]; mounts: number };
    expect(outcome.mounts).toBe(13);
    expect(outcome.namespaces.map((ns) => [ns.name, ns.enter])).toEqual(outcome.namespaces.map((ns) => [ns.name, `nsenter -t ${ns.pid} -m`]));
  });

  it('the restored namespaces, dumped again, are the set that was dumped', () => {
    expect(r.dumpAgain.status).toBe(0);
    expect(compareTopologySets(r.document, JSON.parse(r.dumpAgain.stdout) as TopologySet)).toBeUndefined();
    expect(r.shownAfter.stdout).toMatch(/^db +.*\/vol +volume +tmpfs +master:\d+$/m);
    expect(r.graph.stdout).toContain('label="slave (across namespaces)", style=bold');
  });
});
