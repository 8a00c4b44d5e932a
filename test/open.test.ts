// open(): the kernel by default, and an error saying why where it cannot be used; the model only when
// asked for, by name or with 'auto' (whose result says which it got). The children run in private
// namespaces (with and without CAP_SYS_ADMIN).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AddonUnavailableError } from '../src/native/addon.js';
import { nodeArguments } from '../src/process/child.js';
import { open } from '../src/open.js';
import { kernelSuite, kernelUnavailable, runChild } from './support/kernel.js';

const child = new URL('./children/open-backend.ts', import.meta.url);
const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...childEnv } = process.env;

describe('open()', () => {
  it("hands out the model where the addon cannot load (the test runner bans it) only when asked for, by name or with 'auto'", () => {
    expect(open({ backend: 'auto' }).backend).toBe('model');
    expect(open({ backend: 'model' }).backend).toBe('model');
  });

  it('never stands the model in for the kernel, by default or when the kernel is asked for', () => {
    expect(() => open()).toThrow(AddonUnavailableError);
    expect(() => open({ backend: 'kernel' })).toThrow(AddonUnavailableError);
  });

  it('refuses unknown backends and options', () => {
    expect(() => open({ backend: 'fake' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => open({ backnd: 'model' } as never)).toThrow(/unknown option 'backnd'/);
  });

  it.skipIf(kernelUnavailable)(kernelSuite('picks the kernel as root in a namespace of its own'), () => {
    expect(runChild<{ byDefault: string; auto: string; why: string | null }>(child)).toEqual({ byDefault: 'kernel', auto: 'kernel', why: null });
  });

  it.skipIf(kernelUnavailable)(kernelSuite("without CAP_SYS_ADMIN: refuses by default with EPERM saying to run as root; 'auto' picks the model and says why"), () => {
    const run = spawnSync(
      'unshare',
      ['-m', '--propagation', 'private', 'setpriv', '--bounding-set', '-sys_admin', '--inh-caps', '-sys_admin', '--', process.execPath, ...nodeArguments(child, [])],
      { encoding: 'utf8', env: childEnv },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      byDefault: expect.stringMatching(/^MountPermissionError EPERM: this process lacks CAP_SYS_ADMIN, which every mount call needs: run it as root/),
      auto: 'model',
      why: expect.stringMatching(/lacks CAP_SYS_ADMIN/),
    });
  });
});
