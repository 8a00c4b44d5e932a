// Symlink races (runc's CVE-2021-30465, for restore and attach): a racing attacker swaps a
// directory on the way with a symbolic link out of the tree, renameat2(RENAME_EXCHANGE) in a tight
// loop (test/support/c/swap-racer.c), while restore and attach run 1,000 times each. Every path they
// act on is resolved once, with openat2, and used through the fd: nothing may ever land outside
// --into (or change a mount outside the container's root), and every run ends in success or a
// typed error. The attacker swaps the directory holding --into, a directory the restore makes in
// its own tree, and (from inside a container) a directory above the volume, pointing at the host
// path of another mount of the source's filesystem.
import { beforeAll, describe, expect, it } from 'vitest';
import { compilerUnavailable } from '../support/c.js';
import { kernelSuite, kernelUnavailable, runChild } from '../support/kernel.js';
import type { RaceReport } from './children/race.js';

const RUNS = 1000;
const unavailable = kernelUnavailable ?? compilerUnavailable();

describe.skipIf(unavailable)(unavailable ? `symlink races [skipped: ${unavailable}]` : kernelSuite('symlink races against restore and attach'), () => {
  let report: Record<'restorePlaces' | 'restoreTree' | 'attach', RaceReport>;
  beforeAll(() => {
    report = runChild(new URL('./children/race.ts', import.meta.url), [String(RUNS)], 600_000);
  });

  it.each(['restorePlaces', 'restoreTree', 'attach'] as const)('%s: 1,000 runs against a racing attacker; nothing outside, every run typed', (name) => {
    const race = report[name];
    expect(race.runs).toBe(RUNS);
    expect(Object.values(race.outcomes).reduce((a, b) => a + b, 0)).toBe(RUNS);
    expect(race.escaped).toEqual([]);
    expect(race.escapedRuns).toBe(0);
    expect(race.untyped).toEqual([]);
    // The race was real: the attacker swapped all along, and runs went both ways.
    expect(race.swaps).toBeGreaterThan(RUNS);
    expect(race.outcomes.ok ?? 0).toBeGreaterThan(0);
    expect(RUNS - (race.outcomes.ok ?? 0)).toBeGreaterThan(0);
  });
});
