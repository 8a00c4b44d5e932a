// Test child (runs under unshare -m --propagation private, on a scratch tmpfs): restores and
// attaches while a racing attacker (test/support/c/swap-racer.c) swaps a directory on their way
// with a symbolic link to a directory outside it, renameat2(RENAME_EXCHANGE) in a tight loop:
// - restore, the places raced: the directory that holds --into, swapped with a link to a decoy
//   tree outside that has an `into` of its own;
// - restore, the tree raced: a directory the restore makes inside its own restored root, swapped
//   with a link outside;
// - attach, the container raced: a directory of the container above its volume, swapped (from
//   inside the container) with a link to the host path of another mount of the source's filesystem,
//   which set-group would gladly join were the link followed from the host's root.
// After every run, with the attacker paused: what landed outside, what the run came to (success,
// or a typed error by name and code), and then the run taken down. Prints counts, and every run
// that left anything outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { attach, detach } from '../../../src/attach/index.js';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { withScratch } from '../../../src/process/scratch.js';
import { restore } from '../../../src/restore/restore.js';
import { loadTopology, type TopologyMount } from '../../../src/restore/topology.js';
import { compileHelper } from '../../support/c.js';

const runs = Number(process.argv[2] ?? 1000);
const ns = new KernelNamespace();

/** What the typed errors a run may end in: a run ending in anything else is reported by its message. */
const typed = new Set(['RestoreStepError', 'RestoreRefusedError', 'RestoreMismatchError', 'MountError', 'MountInvalidArgumentError', 'MountNotFoundError', 'MountPermissionError']);

export interface RaceReport {
  runs: number;
  /** Outcomes by "ok" or "Name CODE" (the cause's code for a failed restore step). */
  outcomes: Record<string, number>;
  /** Runs that ended in something untyped. */
  untyped: string[];
  /** Runs after which something was found outside (mounts, entries, a changed victim): the first ten. */
  escaped: string[];
  /** How many runs left something outside. */
  escapedRuns: number;
  /** Swaps the attacker made. */
  swaps: number;
}

function label(error: unknown): string {
  if (!(error instanceof Error)) return `untyped ${String(error)}`;
  const { code } = error as { code?: string };
  const cause = (error.cause as { code?: string } | undefined)?.code;
  return `${error.name} ${cause ?? code ?? ''}`.trim();
}

function mountsUnder(dir: string): string[] {
  return parse(ns.mountinfo()).filter((entry) => entry.mountPoint === dir || entry.mountPoint.startsWith(`${dir}/`)).map((entry) => entry.mountPoint);
}

/** The attacker: started, and paused or resumed around each look. */
class Racer {
  readonly #child: ChildProcess;

  constructor(command: string[]) {
    this.#child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  }

  async ready(): Promise<this> {
    const lines = createInterface({ input: this.#child.stdout! });
    const [line] = (await once(lines, 'line')) as [string];
    if (line !== 'ready') throw new Error(`racer said ${line}`);
    this.lines = lines;
    return this;
  }

  lines?: ReturnType<typeof createInterface>;

  pause(): void {
    this.#child.kill('SIGSTOP');
  }

  resume(): void {
    this.#child.kill('SIGCONT');
  }

  /** Stops it for good; how many swaps it made. */
  async stop(): Promise<number> {
    const count = once(this.lines!, 'line');
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGCONT');
    this.#child.kill('SIGTERM');
    const [line] = (await count) as [string];
    await exited;
    return Number(line);
  }
}

function escaped(report: RaceReport, what: string): void {
  if (report.escapedRuns++ < 10) report.escaped.push(what);
}

function tally(report: RaceReport, outcome: string): void {
  report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
  if (outcome.startsWith('untyped') || !(outcome === 'ok' || typed.has(outcome.split(' ')[0]!))) report.untyped.push(outcome);
}

const tmpfs = (fields: Partial<TopologyMount> & { id: number }): TopologyMount => ({
  parent: null, mountPoint: '/', root: '/', fsType: 'tmpfs', source: 't', superblock: '0:1',
  mountOptions: 'rw,relatime', superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false, file: false, ...fields,
});

/** A root tmpfs with a peer group of two mounts at /a/b and /a/c: the restore makes /a and walks through it. */
const topology = loadTopology({
  schema: 'mount-set-group/topology', version: 2, under: '/',
  mounts: [tmpfs({ id: 1 }), tmpfs({ id: 2, parent: 1, mountPoint: '/a/b', superblock: '0:2', group: 7 }), tmpfs({ id: 3, parent: 1, mountPoint: '/a/c', superblock: '0:2', group: 7 })],
});

/** Lazily unmounts everything at or under `dir`, newest first. */
function takeDown(dir: string): void {
  for (const point of mountsUnder(dir).reverse()) {
    try {
      ns.umount(point, { lazy: true });
    } catch {
      // gone with its parent
    }
  }
}

async function raceRestore(dir: string, racerPath: string, raced: 'places' | 'tree'): Promise<RaceReport> {
  const base = join(dir, `restore-${raced}`);
  const outside = join(dir, `outside-${raced}`);
  mkdirSync(join(outside, 'tree', 'into'), { recursive: true });
  mkdirSync(join(base, 'tree', 'into'), { recursive: true });
  const into = join(base, 'tree', 'into');
  const staging = join(base, 'staging');
  // The places raced: `tree` (holding --into) against `tree.link` -> outside/tree (which has an into).
  // The tree raced: `a` (made by the restore in its restored root) against `a.link` -> outside.
  const command = raced === 'places' ? [racerPath, base, 'tree', 'tree.link', join(outside, 'tree')] : [racerPath, into, 'a', 'a.link', outside];
  const racer = await new Racer(command).ready();
  const decoy = new Set(['tree', join('tree', 'into')]);
  const report: RaceReport = { runs, outcomes: {}, untyped: [], escaped: [], escapedRuns: 0, swaps: 0 };
  for (let run = 0; run < runs; run++) {
    let outcome = 'ok';
    try {
      restore(ns, topology, { into, staging });
    } catch (error) {
      outcome = label(error);
    }
    racer.pause();
    tally(report, outcome);
    const landed = [...mountsUnder(outside), ...readdirSync(outside, { recursive: true, encoding: 'utf8' }).filter((entry) => !decoy.has(entry))];
    if (landed.length > 0) escaped(report, `run ${run} (${outcome}): ${landed.join(', ')}`);
    takeDown(base);
    racer.resume();
  }
  report.swaps = await racer.stop();
  return report;
}

/** The shell script that makes a "container" whose volume is /vol/data, a private bind of `source`, and waits. */
function containerScript(rootfs: string, source: string): string {
  return [
    'set -e',
    `mount --bind ${rootfs} ${rootfs}`,
    `cd ${rootfs}`,
    `mount --bind ${source} vol/data`,
    'mount --make-private vol/data',
    'mount --rbind /usr usr',
    'mount --rbind /proc proc',
    'pivot_root . .',
    'umount -l .',
    'echo ready',
    'exec sleep 3600',
  ].join('\n');
}

/** Detaches the volume, letting the attacker run a moment between tries while /vol is its link. */
async function detachBetweenSwaps(pid: number, racer: Racer): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await detach({ pid, target: '/vol/data', via: 'caller' });
      return;
    } catch (error) {
      if (attempt === 1000) throw error;
      racer.resume();
      await new Promise((resolve) => setTimeout(resolve, 1));
      racer.pause();
    }
  }
}

async function raceAttach(dir: string, racerPath: string): Promise<RaceReport> {
  const source = join(dir, 'attach-source');
  mkdirSync(source);
  ns.mount('tmpfs', 'volume', source);
  ns.changePropagation(source, 'shared');
  // The victim: a private mount of the source's filesystem on the host, which a set-group that
  // followed the container's link from the host's root would join.
  const victim = join(dir, 'victim', 'data');
  mkdirSync(victim, { recursive: true });
  ns.bind(source, victim);
  ns.changePropagation(victim, 'private');
  const rootfs = join(dir, 'rootfs');
  for (const sub of ['vol/data', 'usr', 'proc']) mkdirSync(join(rootfs, sub), { recursive: true });
  for (const sub of ['bin', 'lib', 'lib64']) symlinkSync(`usr/${sub}`, join(rootfs, sub));
  copyFileSync(racerPath, join(rootfs, 'swap-racer'));
  const container = spawn('unshare', ['-m', '--propagation', 'private', '--', 'sh', '-c', containerScript(rootfs, source)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [ready] = (await once(createInterface({ input: container.stdout! }), 'line')) as [string];
  if (ready !== 'ready') throw new Error(`container said ${ready}`);
  const pid = container.pid!;
  // The attacker, inside the container's namespace and root: /vol against /vol.link -> the victim's host path.
  const racer = await new Racer(['nsenter', `--mount=/proc/${pid}/ns/mnt`, `--root=/proc/${pid}/root`, `--wd=/proc/${pid}/root`, '/swap-racer', '/', 'vol', 'vol.link', join(dir, 'victim')]).ready();
  const victimState = () => parse(ns.mountinfo()).filter((entry) => entry.mountPoint === victim).map((entry) => `${entry.shared ?? '-'} ${entry.master ?? '-'}`);
  const before = victimState().join();
  const report: RaceReport = { runs, outcomes: {}, untyped: [], escaped: [], escapedRuns: 0, swaps: 0 };
  try {
    for (let run = 0; run < runs; run++) {
      let outcome = 'ok';
      try {
        await attach({ pid, source, target: '/vol/data', via: 'caller' });
      } catch (error) {
        outcome = label(error);
      }
      racer.pause();
      tally(report, outcome);
      if (victimState().join() !== before) escaped(report, `run ${run} (${outcome}): the host's ${victim} became ${victimState().join()}`);
      if (outcome === 'ok') await detachBetweenSwaps(pid, racer);
      racer.resume();
    }
    report.swaps = await racer.stop();
  } finally {
    container.kill();
  }
  return report;
}

const result = await withScratch(async (dir) => {
  const racerPath = compileHelper('swap-racer', join(dir, 'swap-racer'));
  return {
    restorePlaces: await raceRestore(dir, racerPath, 'places'),
    restoreTree: await raceRestore(dir, racerPath, 'tree'),
    attach: await raceAttach(dir, racerPath),
  };
});
process.stdout.write(JSON.stringify(result));
