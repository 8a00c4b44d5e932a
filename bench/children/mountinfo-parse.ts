// Bench child (no syscalls beyond reading and spawning findmnt): times parse() and parseFile() on
// FILE, the pure-JS parser of @stroncium/procfs on the same text, and `findmnt -r -F` on FILE and on
// ONE_LINE_FILE (its start-up), in ROUNDS alternating rounds, each in-process sample starting from
// a scavenged young generation. A fresh process, so that what a benchmark run did before does not
// weigh on the parsers' JIT and heap. Prints each contender's samples (ms) and the lines parsed.
//
//   mountinfo-parse.ts FILE ONE_LINE_FILE ROUNDS
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from '../../src/mountinfo/parse.js';
import { parseFile } from '../../src/process/read-mountinfo.js';
import { alternate, isolatedMs, timeMs } from '../stats.js';

type ProcfsParser = (text: string) => unknown[];

export type ParseContender = 'parse' | 'parseFile' | 'procfs' | 'findmnt' | 'findmntStart';

const [file, oneLine, rounds] = process.argv.slice(2) as [string, string, string];

function procfsParser(): ProcfsParser {
  const parsers = createRequire(import.meta.url)('@stroncium/procfs/lib/parsers.js') as { processMountinfo: ProcfsParser };
  return parsers.processMountinfo;
}

function findmnt(path: string): void {
  const child = spawnSync('findmnt', ['-r', '-F', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.status !== 0) throw new Error(`findmnt failed: ${child.stderr.toString()}`);
}

const text = readFileSync(file, 'utf8');
const lines = parse(text).length;
const procfs = procfsParser();
if (procfs(text).length !== lines) throw new Error('@stroncium/procfs parsed a different number of lines');
const samples: Record<ParseContender, number[]> = alternate(Number(rounds), {
  parse: () => isolatedMs(() => parse(text)),
  parseFile: () => isolatedMs(() => parseFile(file)),
  procfs: () => isolatedMs(() => procfs(text)),
  findmnt: () => timeMs(() => findmnt(file)),
  findmntStart: () => timeMs(() => findmnt(oneLine)),
});
process.stdout.write(JSON.stringify({ lines, samples }));
