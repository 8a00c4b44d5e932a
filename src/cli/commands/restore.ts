// mount-set-group restore TOPOLOGY.json --into DIR [--dry-run] [--backend kernel|model]: rebuild a
// dumped topology with private mounts first and set-group after, then check the result.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CliExit, UsageError } from '../errors.js';
import { KernelNamespace } from '../../kernel/namespace.js';
import { ModelNamespace } from '../../model/index.js';
import type { MountNamespace } from '../../core/namespace.js';
import { formatStep } from '../../restore/apply.js';
import type { Places } from '../../restore/places.js';
import type { External } from '../../restore/plan.js';
import { prepareRestore, restore, type RestoreOptions } from '../../restore/restore.js';
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

/** The namespace a restore runs on: this process's (kernel), or a fresh model holding an empty --into. */
function namespaceFor(backend: 'kernel' | 'model', into: string): MountNamespace {
  if (backend === 'kernel') return new KernelNamespace();
  const model = new ModelNamespace();
  model.mkdir(into, { recursive: true });
  return model;
}

/** What the restore does at --into and staging, as comment lines of the printed plan. */
function placeNotes(places: Places): string[] {
  return [`# ${places.into.note}`, `# ${places.staging.note}`, '# a step that fails undoes every step before it: nothing made is left mounted, no directory made is left'];
}

export function restoreCommand(): Command {
  return new Command('restore')
    .summary("rebuild a dumped topology with private mounts and set-group")
    .description(
      'Rebuild a dumped topology at --into: each superblock created once, the tree built from private binds, then ' +
        'peer groups joined with set-group and slaves, shared and unbindable marks applied; the result is dumped ' +
        'and compared with the document, and any difference fails. The kernel backend changes the mount namespace ' +
        'this command runs in.\n\n' +
        'All or nothing: a step the kernel refuses (its reason explained, as set explains it), or a result that ' +
        'differs, undoes every step before it, so the namespace is left as it was. Every path under --into and ' +
        'the staging directory is resolved with openat2(2) beneath them, never through a symbolic link, and ' +
        'mounted through the file descriptor it gave (Linux >= 5.6). Refused before anything is done: --into or ' +
        'the staging directory reached through a symbolic link, already a mount point (a restore is there ' +
        'already), or an --into that holds names the topology mounts on.\n\n' +
        'Shared hosts (systemd makes / shared): where --into lies in a shared or slave mount, the restore first ' +
        'binds --into onto itself and makes that bind private, so nothing it mounts propagates out (the peers ' +
        'receive that one bind, showing the directory they already see) and nothing propagates in; the staging ' +
        "tmpfs is made private before anything is put in it. --dry-run shows what was decided; `umount -R DIR` " +
        'takes a restored tree down, and once more the bind under it.',
    )
    .argument('<topology>', 'a document written by mount-set-group dump')
    .requiredOption('--into <dir>', 'absolute directory to rebuild the topology at')
    .option('--dry-run', 'print the plan, what it does at --into and staging, and anything that cannot be restored, without doing anything')
    .addOption(new Option('--backend <backend>', 'where to restore').choices(['kernel', 'model']).default('kernel'))
    .option('--staging <dir>', 'absolute directory for the temporary staging tmpfs (outside --into)', join(tmpdir(), 'mount-set-group-staging'))
    .option('--external <sb=path>', 'a superblock that cannot be created afresh is available at PATH (repeatable)', parseExternal, [])
    .option('--json', 'print the outcome as JSON')
    .action((file: string, options: RestoreCliOptions) => {
      const topology = readTopology(file);
      const into = absoluteDirectory(options.into, '--into');
      const staging = absoluteDirectory(options.staging, '--staging');
      const restoreOptions: RestoreOptions = { into, staging, externals: options.external };
      const ns = namespaceFor(options.backend, into);
      if (options.dryRun) return printPlan(ns, topology, restoreOptions, options.json);
      const result = restore(ns, topology, {
        ...restoreOptions,
        ...(options.backend === 'model' ? { superOptions: 'rw' as const } : {}),
        progress: progressReporter(options.json),
      });
      const { mountCalls, mkdirs } = result.counts;
      const perMount = mountCalls / Math.max(1, topology.mounts.length);
      const privateBind = result.places.into.hold;
      const outcome = { mounts: topology.mounts.length, mountCalls, mkdirs, callsPerMount: Number(perMount.toFixed(2)), backend: options.backend, into, privateBind };
      if (options.json) return void process.stdout.write(`${JSON.stringify(outcome)}\n`);
      process.stdout.write(
        `restored ${outcome.mounts} mounts at ${into} (${options.backend}): ${mountCalls} mount calls (${outcome.callsPerMount} a mount) and ${mkdirs} mkdirs; the result matches the topology\n`,
      );
      if (privateBind) {
        process.stdout.write(
          `  on a private bind of ${into} onto itself: it lies in a ${result.places.into.mount.propagation} mount (at ${result.places.into.mount.mountPoint}); umount -R ${into} twice takes down the tree, then the bind\n`,
        );
      }
    });
}

/** The plan, what it does at its places, and what would stop it. */
function printPlan(ns: MountNamespace, topology: Topology, options: RestoreOptions, json: boolean | undefined): void {
  const { places, plan, problems } = prepareRestore(ns, topology, options);
  if (json) process.stdout.write(`${JSON.stringify({ ...plan, problems, places })}\n`);
  else {
    process.stdout.write(`# plan: restore ${plan.mounts} mounts at ${plan.into} in ${plan.steps.length} steps\n`);
    for (const note of placeNotes(places)) process.stdout.write(`${note}\n`);
    for (const step of plan.steps) process.stdout.write(`${formatStep(step)}\n`);
    for (const problem of problems) process.stderr.write(`cannot restore: ${problem}\n`);
  }
  if (problems.length > 0) throw new CliExit(1);
}
