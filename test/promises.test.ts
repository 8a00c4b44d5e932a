// mount-set-group/promises: probe() runs its child without blocking and can be aborted; setGroup()
// rejects where the synchronous one throws. The probe's child runs in a private namespace of its own.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeArguments } from '../src/process/child.js';
import { probe, setGroup } from '../src/promises.js';
import { probe as probeSync } from '../src/set-group/probe.js';

describe('mount-set-group/promises', () => {
  it('probe() answers what the synchronous probe answers, while the event loop goes on', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const result = await probe();
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(result).toEqual(probeSync());
  });

  it('an aborted signal rejects with AbortError, before anything runs', async () => {
    await expect(probe({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(setGroup('/a', '/b', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a signal aborted while the probe runs kills its child and rejects with the signal\'s reason', () => {
    const run = spawnSync(process.execPath, nodeArguments(new URL('./children/probe-aborted.ts', import.meta.url), []), { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const outcome = JSON.parse(run.stdout) as { rejected: boolean; name?: string };
    expect(outcome).toMatchObject({ rejected: true, name: 'TimeoutError' }); // a child that ran to the end would have resolved it
  });

  it('bad arguments reject with the TypeErrors setGroup() throws', async () => {
    await expect(setGroup('', '/b')).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    await expect(setGroup('/a', '/b', { signal: 'soon' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringMatching(/options\.signal/) });
    await expect(probe({ signl: AbortSignal.abort() } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  });
});
