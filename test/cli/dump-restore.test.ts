// dump and restore from the command line, on the kernel in a private namespace and on the model.
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';

type Run = { status: number; stdout: string; stderr: string };
type Result = { dir: string; built: number; dump: Run; dryRun: Run; model: Run; kernel: Run; again: Run; show: Run; showAfterAgain: Run };

describe.skipIf(kernelUnavailable)(kernelSuite('mount-set-group dump / restore'), () => {
  let r: Result;
  beforeAll(() => {
    r = runChild<Result>(new URL('./children/dump-restore.ts', import.meta.url));
  });

  it('dumps the configuration quietly, to the file named', () => {
    expect(r.built).toBe(0);
    expect(r.dump).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('prints the plan on --dry-run: superblocks, private binds, a pin for the covered mount, set-group, cleanup', () => {
    expect(r.dryRun.status).toBe(0);
    const steps = r.dryRun.stdout.trim().split('\n');
    expect(steps[0]).toMatch(/^# plan: restore 6 mounts at .*\/into in \d+ steps$/);
    expect(steps).toContain(`mount -t tmpfs -o mode=700 mount-set-group-staging ${r.dir}/staging`);
    expect(steps.filter((step) => step.startsWith('pin @'))).toHaveLength(1);
    expect(steps.filter((step) => step.startsWith('mount --set-group'))).toHaveLength(2);
    expect(steps.at(-2)).toBe(`umount -l ${r.dir}/staging`);
  });

  it('restores on the model and on the kernel, each checked against the document', () => {
    expect(r.model.status).toBe(0);
    expect(r.model.stdout).toMatch(/^restored 6 mounts at .*\(model\): .* the result matches the topology$/m);
    expect(r.kernel.status).toBe(0);
    expect(JSON.parse(r.kernel.stdout)).toMatchObject({ mounts: 6, backend: 'kernel' });
  });

  it('the restored tree has the seed shape: A and B peers, A/C and the covered B/C peers, a private cover on B/C', () => {
    const rows = r.show.stdout.trim().split('\n').slice(1).map((row) => {
      const cells = row.replace(/^[└├│─ ]+/, '').split(/\s+/);
      return { at: cells[0]!.slice(`${r.dir}/into`.length), propagation: cells.at(-1)! };
    });
    expect(rows.map((row) => row.at)).toEqual(['', '/A', '/A/C', '/B', '/B/C', '/B/C']);
    const [top, a, ac, b, bcCovered, bcCover] = rows.map((row) => row.propagation);
    expect([top, bcCover]).toEqual(['private', 'private']);
    expect(a).toMatch(/^shared:\d+$/);
    expect(ac).toMatch(/^shared:\d+$/);
    expect(ac).not.toBe(a);
    expect([b, bcCovered]).toEqual([a, ac]);
  });

  it('a second restore onto the same place is refused before anything happens, in one line that says why', () => {
    expect(r.again.status).toBe(1);
    expect(r.again.stderr).toMatch(/^mount-set-group: cannot restore this topology exactly: --into '.*\/into' is already a mount point \(mount \d+: tmpfs [^)]*\): a restore is there already[^\n]*\n$/);
    expect(r.showAfterAgain.stdout).toBe(r.show.stdout);
  });
});
