// mount-set-group restore TOPOLOGY.json --into DIR [--dry-run] [--backend kernel|model]: rebuild a
// dumped topology with private mounts first and set-group after, then check the result.
import { readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CliExit, UsageError } from '../errors.js';
import { KernelNamespace } from '../../kernel/namespace.js';
import { ModelNamespace } from '../../model/index.js';
import type { MountNamespace } from '../../core/namespace.js';
import { formatStep, type ApplyOptions } from '../../restore/apply.js';
import { symlinkGuard } from '../../restore/guard.js';
import { planRestore, type External } from '../../restore/plan.js';
import { refusals, restore } from '../../restore/restore.js';
import { loadTopology, type Topology } from '../../restore/topology.js';
import { absoluteDirectory } from './dump.js';

interface RestoreCliOptions {
  into: string;
  staging: string;
  dryRun?: boolean;
  backend: 'kernel' | 'model';
  external: External[];
  json?: boolean;
}

/** `SUPERBLOCK=PATH` or `SUPERBLOCK:ROOT=PATH`: where a superblock (its ROOT, default /) is available. */
function parseExternal(value: string, previous: External[]): External[] {
  const match = /^(\d+:\d+)(?::(\/[^=]*))?=(\/.*)$/.exec(value);
  if (!match) throw new UsageError(`--external takes MAJOR:MINOR[:ROOT]=PATH (e.g. 8:1=/mnt/disk), not '${value}'`);
  return [...previous, { superblock: match[1]!, root: match[2] ?? '/', path: match[3]! }];
}

function readTopology(file: string): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return loadTopology(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(`${file} is not JSON: ${error.message}`);
    throw error;
  }
}

/** Progress on stderr for large restores: a line every tenth of the way. */
function progressReporter(json: boolean | undefined): ((done: number, total: number) => void) | undefined {
  if (json) return undefined;
  let shown = 0;
  return (done, total) => {
    if (total < 1000) return;
    const tenth = Math.floor((10 * done) / total);
    if (tenth > shown) {
      shown = tenth;
      process.stderr.write(`restore: ${done}/${total} steps (${tenth * 10}%)\n`);
    }
  };
}

export function restoreCommand(): Command {
  return new Command('restore')
    .summary("rebuild a dumped topology with private mounts and set-group")
    .description(
      'Rebuild a dumped topology at --into: each superblock created once, the tree built from private binds, then ' +
        'peer groups joined with set-group and slaves, shared and unbindable marks applied; the result is dumped ' +
        'and compared with the document, and any difference fails. The kernel backend changes the mount namespace ' +
        'this command runs in.',
    )
    .argument('<topology>', 'a document written by mount-set-group dump')
    .requiredOption('--into <dir>', 'absolute directory to rebuild the topology at')
    .option('--dry-run', 'print the plan (and anything that cannot be restored) without doing anything')
    .addOption(new Option('--backend <backend>', 'where to restore').choices(['kernel', 'model']).default('kernel'))
    .option('--staging <dir>', 'absolute directory for the temporary staging tmpfs (outside --into)', join(tmpdir(), 'mount-set-group-staging'))
    .option('--external <sb=path>', 'a superblock that cannot be created afresh is available at PATH (repeatable)', parseExternal, [])
    .option('--json', 'print the outcome as JSON')
    .action((file: string, options: RestoreCliOptions) => {
      const topology = readTopology(file);
      const into = absoluteDirectory(options.into, '--into');
      const staging = absoluteDirectory(options.staging, '--staging');
      const planOptions = { into, staging, externals: options.external };
      const guard = options.backend === 'kernel' ? symlinkGuard([into, staging]) : undefined;
      if (options.dryRun) return printPlan(topology, planOptions, guard, options.json);
      const ns: MountNamespace = options.backend === 'model' ? new ModelNamespace() : new KernelNamespace();
      if (options.backend === 'model') ns.mkdir(into, { recursive: true });
      try {
        const result = restore(ns, topology, {
          ...planOptions,
          ...(guard ? { guard } : { superOptions: 'rw' as const }),
          progress: progressReporter(options.json),
        });
        const { mountCalls, mkdirs } = result.counts;
        const perMount = mountCalls / Math.max(1, topology.mounts.length);
        const outcome = { mounts: topology.mounts.length, mountCalls, mkdirs, callsPerMount: Number(perMount.toFixed(2)), backend: options.backend, into };
        process.stdout.write(
          options.json
            ? `${JSON.stringify(outcome)}\n`
            : `restored ${outcome.mounts} mounts at ${into} (${options.backend}): ${mountCalls} mount calls (${outcome.callsPerMount} a mount) and ${mkdirs} mkdirs; the result matches the topology\n`,
        );
      } finally {
        if (options.backend === 'kernel') removeStaging(staging);
      }
    });
}

/** Removes the staging directory when the restore detached it; a failed restore leaves it for inspection. */
function removeStaging(staging: string): void {
  try {
    rmdirSync(staging);
  } catch {
    // Still mounted (the restore failed before its last step) or not empty: leave it.
  }
}

/** The plan, and what would stop it: its problems and, on the kernel, paths the guard refuses now. */
function printPlan(topology: Topology, planOptions: Parameters<typeof planRestore>[1], guard: ApplyOptions['guard'], json: boolean | undefined): void {
  const plan = planRestore(topology, planOptions);
  const problems = refusals(plan, guard);
  if (json) process.stdout.write(`${JSON.stringify({ ...plan, problems })}\n`);
  else {
    process.stdout.write(`# plan: restore ${plan.mounts} mounts at ${plan.into} in ${plan.steps.length} steps\n`);
    for (const step of plan.steps) process.stdout.write(`${formatStep(step)}\n`);
    for (const problem of problems) process.stderr.write(`cannot restore: ${problem}\n`);
  }
  if (problems.length > 0) throw new CliExit(1);
}
