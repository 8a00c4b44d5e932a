// Row 4: parsing a real 20,000-line mountinfo — made by the kernel in a child with a private mount
// namespace of its own (bench/children/mountinfo.ts) — with parse()/parseFile(), against
// `findmnt -r -F FILE` and the pure-JS parser of @stroncium/procfs on the same file, in alternating
// rounds, in a fresh process (bench/children/mountinfo-parse.ts). findmnt is a process: its time
// includes exec, reading and printing; a second findmnt contender on a one-line file measures that
// start-up, so its parse-and-print work can be told apart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeArguments, runPrivateSync } from '../src/process/child.js';
import type { ParseContender } from './children/mountinfo-parse.js';
import { formatNs, medians, type BenchRow } from './stats.js';

/** Writes a real mountinfo with `binds` bind mounts beyond the host's to `path`. */
function generateMountinfo(binds: number, path: string): void {
  const child = runPrivateSync(new URL('./children/mountinfo.ts', import.meta.url), [String(binds), path], { timeout: 600_000 });
  if (child.status !== 0) throw new Error(`generating mountinfo failed: ${child.stderr}`);
}

/** Medians of the parse child's samples (ms), and the lines it parsed. */
function measureParsers(file: string, oneLine: string, rounds: number): { lines: number; ms: Record<ParseContender, number> } {
  const args = nodeArguments(new URL('./children/mountinfo-parse.ts', import.meta.url), [file, oneLine, String(rounds)]);
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 600_000 });
  if (child.status !== 0) throw new Error(`mountinfo parse bench failed: ${child.stderr}`);
  const { lines, samples } = JSON.parse(child.stdout) as { lines: number; samples: Record<ParseContender, number[]> };
  return { lines, ms: medians(samples) };
}

export function mountinfoParse(binds = 20_000, rounds = 25): BenchRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'mount-set-group-bench-'));
  try {
    const file = join(dir, 'mountinfo');
    const oneLine = join(dir, 'one-line');
    generateMountinfo(binds, file);
    const text = readFileSync(file, 'utf8');
    writeFileSync(oneLine, text.slice(0, text.indexOf('\n') + 1));
    const { lines, ms } = measureParsers(file, oneLine, rounds);
    const findmntWork = ms.findmnt - ms.findmntStart;
    const t = (value: number) => formatNs(value * 1e6);
    return [
      {
        name: `mountinfo, ${lines} lines: findmnt -r -F / parseFile()`,
        value: ms.findmnt / ms.parseFile,
        unit: 'x',
        goal: { op: '>=', value: 3 },
        detail: `${t(ms.findmnt)} vs ${t(ms.parseFile)} (read + parse); a real mountinfo with ${binds} bind mounts, made in a private namespace`,
      },
      {
        name: `mountinfo, ${lines} lines: findmnt without its start-up / parse()`,
        value: findmntWork / ms.parse,
        unit: 'x',
        detail: `${t(findmntWork)} (findmnt on the file ${t(ms.findmnt)} minus on one line ${t(ms.findmntStart)}) vs ${t(ms.parse)}`,
      },
      {
        name: `mountinfo, ${lines} lines: @stroncium/procfs / parse()`,
        value: ms.procfs / ms.parse,
        unit: 'x',
        detail: `${t(ms.procfs)} vs ${t(ms.parse)}, both on the text in memory`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
