// The VM runner on the patched kernel: output and exit status come out, the guest runs the patched
// kernel on a read-only 9p root, a timeout kills QEMU, and the CLI exits with the command's status.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliExit } from '../../src/cli/errors.js';
import { vmCommand } from '../../src/cli/commands/vm.js';
import { VmTimeoutError } from '../../src/vm/errors.js';
import { runInVm } from '../../src/vm/run.js';
import { childQemus, collector, kernelOrSkip } from './helpers.js';

const kernel = kernelOrSkip('VM runner tests');
const BOOT_BUDGET_MS = 90_000;

describe.skipIf(!kernel)('runInVm', () => {
  it('streams stdout and stderr apart and resolves with a non-zero exit status', async () => {
    const out = collector();
    const err = collector();
    const result = await runInVm({
      kernel, command: ['sh', '-c', 'echo "to stdout"; echo "to stderr" >&2; exit 3'],
      stdout: out.stream, stderr: err.stream, timeout: BOOT_BUDGET_MS,
    });
    expect(result.status).toBe(3);
    expect(out.text()).toBe('to stdout\n');
    expect(err.text()).toBe('to stderr\n');
    console.log(`boot to command: ${result.bootMs} ms, whole run: ${result.totalMs} ms (${result.accel})`);
  }, BOOT_BUDGET_MS);

  it('runs the patched kernel on the host root, read-only over 9p, in the current directory', async () => {
    const out = collector();
    const result = await runInVm({
      kernel, command: 'uname -r; pwd; cat /proc/self/mountinfo', stdout: out.stream, timeout: BOOT_BUDGET_MS,
    });
    expect(result.status).toBe(0);
    const [release, cwd, ...mountinfo] = out.text().trimEnd().split('\n');
    expect(release).toMatch(/^6\.12\.\d+-mount-set-group$/);
    expect(cwd).toBe(process.cwd());
    const root = mountinfo.find((line) => line.split(' ')[4] === '/');
    expect(root).toMatch(/ \/ \/ ro[, ].* - 9p root ro,/);
  }, BOOT_BUDGET_MS);

  it('keeps a working directory under /tmp visible and read-only when nothing is writable, and refuses /tmp itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msg-vm-cwd-'));
    try {
      writeFileSync(join(dir, 'here'), 'host file\n');
      const out = collector();
      const result = await runInVm({
        kernel, command: 'pwd; cat here; touch new 2>/dev/null && echo wrote || echo read-only; touch /tmp/x && echo tmp-writable',
        cwd: dir, writable: false, stdout: out.stream, timeout: BOOT_BUDGET_MS,
      });
      expect(result.status).toBe(0);
      expect(out.text()).toBe(`${dir}\nhost file\nread-only\ntmp-writable\n`);
      await expect(runInVm({ kernel, command: 'true', cwd: tmpdir(), writable: false })).rejects.toThrow(/hidden in the guest by its own \/tmp/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, BOOT_BUDGET_MS);

  it('reports a timeout as VmTimeoutError and leaves no QEMU behind', async () => {
    const started = Date.now();
    await expect(runInVm({ kernel, command: ['sleep', '600'], timeout: 8000, stdout: collector().stream }))
      .rejects.toBeInstanceOf(VmTimeoutError);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(childQemus()).toEqual([]);
  }, BOOT_BUDGET_MS);
});

describe.skipIf(!kernel)('mount-set-group vm', () => {
  it('exits with the command\'s status', async () => {
    const command = vmCommand().exitOverride();
    const run = command.parseAsync(['--kernel', kernel ?? '', '--', 'sh', '-c', 'exit 7'], { from: 'user' });
    await expect(run).rejects.toSatisfy((error) => error instanceof CliExit && error.status === 7);
  }, BOOT_BUDGET_MS);
});
