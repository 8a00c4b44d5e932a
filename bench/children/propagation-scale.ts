// Bench child (model only, no syscalls): builds one propagation scenario at one size on a fresh
// ModelNamespace, RUNS times after as many warm-up runs as make 100,000 mounts (so every size meets
// the JIT equally warm), and prints per run the mounts its timed part made, its milliseconds, those
// V8 spent collecting garbage meanwhile, and those of a scavenge right after it, as JSON. Needs
// node --expose-gc: each timed part starts after a full collection, and the scavenge after it
// settles what it left in the young generation, so that every size pays for moving its new mounts
// out of it (at 10k they fit there and would be moved after the clock stops; at 100k they do not);
// less what a scavenge of an empty young generation costs, which would weigh on 1k alone.
// Also the growth of the live heap over the step, after full collections.
// Each run also gives the monotonic clock (µs) at the start and end of its timed part, the clock of
// V8's CPU profiler: run under node --cpu-prof, the profile's samples of a timed part are those in
// its window.
//
//   fan-out N   a shared tmpfs with N - 1 other members (binds of it, every second one made a slave);
//               timed: one `mount -t tmpfs` on it, which propagates a copy to every member.
//   rbind N     fs.mount-max N; a private tree of 10 mounts; a shared tmpfs with a peer and a slave;
//               timed: `mount --rbind TREE SHARED/k` for k = 0, 1, ... until the limit refuses one
//               (ENOSPC): each makes 30 mounts, the tree's copy and one for the peer and the slave.
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout } from 'node:timers/promises';
import { MountError } from '../../src/core/errors.js';
import { ModelNamespace } from '../../src/model/index.js';

export type Scenario = 'fan-out' | 'rbind';

export interface ScaleRun {
  mounts: number;
  /** The timed step... */
  stepMs: number;
  /** ...of which garbage collection... */
  gcMs: number;
  /** ...and the scavenge right after it, which settles what the step left in the young generation (less an idle scavenge). */
  settleMs: number;
  /** How much the live heap grew with the step. */
  heapBytes: number;
  /** process.hrtime at the start and end of the timed part, in µs. */
  window: [number, number];
}

const [scenario, sizeArg, runsArg] = process.argv.slice(2) as [Scenario, string, string];
const size = Number(sizeArg);
const runs = Number(runsArg);

/** The fan-out scenario, set up; returns the timed step. */
function fanOut(n: number): () => number {
  const ns = new ModelNamespace({ mountMax: 2 * n + 16 });
  ns.mkdir('/p');
  ns.mount('tmpfs', 'p', '/p');
  ns.mkdir('/p/sub');
  ns.changePropagation('/p', 'shared');
  for (let i = 1; i < n; i++) {
    const member = `/members/${i}`;
    ns.mkdir(member, { recursive: true });
    ns.bind('/p', member);
    if (i % 2 === 0) ns.changePropagation(member, 'slave');
  }
  return () => {
    const before = ns.mountCount;
    ns.mount('tmpfs', 'x', '/p/sub');
    return ns.mountCount - before;
  };
}

/** The rbind scenario, set up; returns the timed step. */
function rbindGrowth(n: number): () => number {
  const ns = new ModelNamespace({ mountMax: n });
  ns.mkdir('/tree');
  ns.mount('tmpfs', 'tree', '/tree');
  for (let i = 0; i < 9; i++) {
    ns.mkdir(`/tree/${i}`);
    ns.mount('tmpfs', `tree${i}`, `/tree/${i}`);
  }
  for (const dir of ['/shared', '/peer', '/slave']) ns.mkdir(dir);
  ns.mount('tmpfs', 'shared', '/shared');
  ns.changePropagation('/shared', 'shared');
  ns.bind('/shared', '/peer');
  ns.bind('/shared', '/slave');
  ns.changePropagation('/slave', 'slave');
  return () => {
    const before = ns.mountCount;
    for (let k = 0; ; k++) {
      ns.mkdir(`/shared/${k}`);
      try {
        ns.bind('/tree', `/shared/${k}`, { recursive: true });
      } catch (error) {
        if (error instanceof MountError && error.code === 'ENOSPC') break;
        throw error;
      }
    }
    return ns.mountCount - before;
  };
}

const gcs: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcs.push({ start: entry.startTime, duration: entry.duration });
}).observe({ entryTypes: ['gc'] });

function microseconds(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** V8's collector (node --expose-gc): a full collection, or with type 'minor' a scavenge of the young generation. */
const collectGarbage = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
if (collectGarbage === undefined) throw new Error('run this child with node --expose-gc');

async function measure(): Promise<ScaleRun> {
  const step = (scenario === 'fan-out' ? fanOut : rbindGrowth)(size);
  collectGarbage!(); // the garbage of earlier runs and of the set-up is not the step's to collect
  const heapBefore = process.memoryUsage().heapUsed;
  const idle = performance.now();
  collectGarbage!({ type: 'minor' }); // what any scavenge costs here, even of an empty young generation
  const idleScavengeMs = performance.now() - idle;
  const startUs = microseconds();
  const start = performance.now();
  const mounts = step();
  const end = performance.now();
  const endUs = microseconds();
  collectGarbage!({ type: 'minor' }); // what the step left in the young generation, settled: not free
  const settled = performance.now();
  collectGarbage!();
  const heapBytes = process.memoryUsage().heapUsed - heapBefore;
  await setTimeout(0); // the observer hears of the collections made during the step
  const gcMs = gcs.filter((gc) => gc.start >= start && gc.start < end).reduce((sum, gc) => sum + gc.duration, 0);
  return { mounts, stepMs: end - start, gcMs, settleMs: Math.max(0, settled - end - idleScavengeMs), heapBytes, window: [startUs, endUs] };
}

/** Mounts the warm-up runs make, at least, whatever the size. */
const WARMUP_MOUNTS = 100_000;

for (let made = 0; made < WARMUP_MOUNTS; ) made += (await measure()).mounts;
const results: ScaleRun[] = [];
for (let run = 0; run < runs; run++) results.push(await measure());
process.stdout.write(JSON.stringify(results));
