// A kernel without openat2(2) (Linux < 5.6), as a seccomp filter makes it (ENOSYS): restore and
// attach/detach resolve every path they act on with it and have no fallback to resolving names, so
// they refuse with a typed error that says so, and change nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { compilerUnavailable } from '../support/c.js';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';

interface Report {
  restore: { status: number; stderr: string };
  detach: { status: number; stderr: string };
  unchanged: boolean;
}

const unavailable = kernelUnavailable ?? compilerUnavailable();

describe.skipIf(unavailable)(unavailable ? `without openat2 [skipped: ${unavailable}]` : kernelSuite('on a kernel without openat2'), () => {
  let report: Report;
  beforeAll(() => {
    report = runChild(new URL('./children/no-openat2.ts', import.meta.url));
  });

  const missing = /ENOSYS: function not implemented, openat2 '[^']*': openat2\(2\) is not available \(kernel .*: it needs Linux >= 5\.6, and no seccomp filter refusing it\); restore and attach resolve every path they act on with it, with no fallback to resolving names/;

  it('restore: exit 1, ENOSYS explained, at its first step', () => {
    expect(report.restore.status).toBe(1);
    expect(report.restore.stderr).toMatch(/^mount-set-group: restore step 1 failed: mkdir -p /);
    expect(report.restore.stderr).toMatch(missing);
  });

  it('detach: exit 1, ENOSYS explained', () => {
    expect(report.detach.status).toBe(1);
    expect(report.detach.stderr).toMatch(missing);
  });

  it('nothing was mounted or changed', () => {
    expect(report.unchanged).toBe(true);
  });
});
