// Micro-benchmark: parse() on a 20,021-line mountinfo, against `findmnt -r -F FILE` and the pure-JS
// parser of @stroncium/procfs on the same text, in the same run. Prints times and ratios; asserts
// nothing about timing.
//
//   npx tsx bench/mountinfo-parse.ts [MOUNTINFO_FILE]
//
// @stroncium/procfs is looked up from this project, then from $PROCFS_BENCH_DIR (default
// /tmp/procfs-bench, made by `npm init -y && npm i @stroncium/procfs`); without it, that row is skipped.
//
// findmnt is a separate process, so its time includes exec, reading the file and printing. Two
// rows keep the comparison honest: findmnt on the file, and findmnt on a one-line file (its start-up
// cost); their difference is findmnt's own parse-and-print time for the extra lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from '../src/mountinfo/parse.js';
import { parseFile } from '../src/mountinfo/read.js';

const IN_PROCESS_RUNS = 50;
const FINDMNT_RUNS = 15;
const defaultFixture = new URL('../test/mountinfo/fixtures/host-20k-mounts.txt.gz', import.meta.url);

interface Timing {
  median: number;
  min: number;
}

/** The mountinfo text to parse: the file named on the command line, or the 20k fixture. */
function loadText(): string {
  const path = process.argv[2];
  if (path !== undefined) return readFileSync(path, 'utf8');
  return gunzipSync(readFileSync(defaultFixture)).toString('utf8');
}

/** Median and minimum wall time of `runs` calls of `work`, in ms. */
function time(runs: number, work: () => unknown): Timing {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)]!, min: samples[0]! };
}

/** The procfs mountinfo parser, or undefined when the package is not installed anywhere we look. */
function loadProcfsParser(): ((text: string) => unknown[]) | undefined {
  const places = [import.meta.url, join(process.env.PROCFS_BENCH_DIR ?? '/tmp/procfs-bench', 'package.json')];
  for (const place of places) {
    try {
      const parsers = createRequire(place)('@stroncium/procfs/lib/parsers.js') as { processMountinfo: (t: string) => unknown[] };
      return parsers.processMountinfo;
    } catch {
      // not installed there; try the next place
    }
  }
  return undefined;
}

/** Runs `findmnt -r -F path` once, discarding its output. */
function runFindmnt(path: string): void {
  const child = spawnSync('findmnt', ['-r', '-F', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.status !== 0) throw new Error(`findmnt failed: ${child.stderr.toString()}`);
}

/** One row of the report. */
function row(name: string, t: Timing): void {
  console.log(`${name.padEnd(44)} ${t.median.toFixed(2).padStart(8)} ms median ${t.min.toFixed(2).padStart(8)} ms min`);
}

/** "X is N.Nx faster/slower than Y" from medians. */
function ratio(name: string, ours: Timing, theirs: Timing): void {
  const r = theirs.median / ours.median;
  console.log(`${name.padEnd(44)} ${r.toFixed(2)}x (${r >= 1 ? 'ours faster' : 'ours slower'})`);
}

function main(): void {
  const text = loadText();
  const lines = parse(text).length;
  const dir = mkdtempSync(join(tmpdir(), 'mountinfo-bench-'));
  try {
    const file = join(dir, 'mountinfo');
    const oneLine = join(dir, 'one-line');
    writeFileSync(file, text);
    writeFileSync(oneLine, text.slice(0, text.indexOf('\n') + 1));
    console.log(`mountinfo: ${lines} lines, ${text.length} characters; node ${process.version}\n`);

    const cold = time(1, () => parse(text));
    time(10, () => parse(text));
    const ours = time(IN_PROCESS_RUNS, () => parse(text));
    const oursFile = time(IN_PROCESS_RUNS, () => parseFile(file));
    row('ours: parse(text), first call (cold JIT)', cold);
    row('ours: parse(text)', ours);
    row('ours: parseFile(path) (read + parse)', oursFile);

    runFindmnt(file);
    const findmnt = time(FINDMNT_RUNS, () => runFindmnt(file));
    const findmntStart = time(FINDMNT_RUNS, () => runFindmnt(oneLine));
    const findmntWork: Timing = { median: findmnt.median - findmntStart.median, min: findmnt.min - findmntStart.min };
    row('findmnt -r -F FILE (process, read, print)', findmnt);
    row('findmnt -r -F ONE-LINE-FILE (start-up)', findmntStart);
    row('findmnt: difference (its parse + print)', findmntWork);

    const procfs = loadProcfsParser();
    let procfsTime: Timing | undefined;
    if (procfs === undefined) {
      console.log('@stroncium/procfs: not installed (see the header of this file); skipped');
    } else {
      if (procfs(text).length !== lines) throw new Error('@stroncium/procfs parsed a different number of lines');
      time(10, () => procfs(text));
      procfsTime = time(IN_PROCESS_RUNS, () => procfs(text));
      row('@stroncium/procfs processMountinfo(text)', procfsTime);
    }

    console.log(`\nratios (their median / our median; goal: >= 3x vs findmnt, > 1x vs procfs)`);
    ratio('findmnt whole run / ours parseFile', oursFile, findmnt);
    ratio('findmnt whole run / ours parse', ours, findmnt);
    ratio('findmnt minus start-up / ours parse', ours, findmntWork);
    if (procfsTime !== undefined) ratio('procfs / ours parse', ours, procfsTime);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

main();
