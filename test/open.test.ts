// open(): the kernel only where the addon loads and the process may mount; the model otherwise, and
// the result says which. The children run in private namespaces (with and without CAP_SYS_ADMIN).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AddonUnavailableError } from '../src/native/addon.js';
import { nodeArguments } from '../src/process/child.js';
import { open } from '../src/open.js';
import { kernelSuite, kernelUnavailable, runChild } from './support/kernel.js';

const child = new URL('./children/open-backend.ts', import.meta.url);
const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...childEnv } = process.env;

describe('open()', () => {
  it('falls back to the model where the addon cannot load (the test runner bans it)', () => {
    expect(open().backend).toBe('model');
    expect(open({ backend: 'model' }).backend).toBe('model');
  });

  it('never stands the model in for the kernel when the kernel is asked for', () => {
    expect(() => open({ backend: 'kernel' })).toThrow(AddonUnavailableError);
  });

  it('refuses unknown backends and options', () => {
    expect(() => open({ backend: 'fake' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => open({ backnd: 'model' } as never)).toThrow(/unknown option 'backnd'/);
  });

  it.skipIf(kernelUnavailable)(kernelSuite('picks the kernel as root in a namespace of its own'), () => {
    expect(runChild<{ backend: string; why: string | null }>(child)).toEqual({ backend: 'kernel', why: null });
  });

  it.skipIf(kernelUnavailable)(kernelSuite('picks the model, and says why, without CAP_SYS_ADMIN'), () => {
    const run = spawnSync(
      'unshare',
      ['-m', '--propagation', 'private', 'setpriv', '--bounding-set', '-sys_admin', '--inh-caps', '-sys_admin', '--', process.execPath, ...nodeArguments(child, [])],
      { encoding: 'utf8', env: childEnv },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ backend: 'model', why: expect.stringMatching(/lacks CAP_SYS_ADMIN/) });
  });
});
