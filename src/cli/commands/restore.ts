// mount-set-group restore TOPOLOGY.json --into DIR [--dry-run] [--backend kernel|model]
// [--external SB=PATH]... [--tie GROUP=PATH]...: rebuild a dumped topology with private mounts
// first and set-group after, then check the result.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CliExit, UsageError } from '../errors.js';
import { KernelNamespace } from '../../kernel/namespace.js';
import { ModelNamespace } from '../../model/index.js';
import type { MountNamespace } from '../../core/namespace.js';
import { describePropagation } from '../../core/set-group-rules.js';
import type { MountInfo } from '../../mountinfo/types.js';
import { locate } from '../../process/locate.js';
import { statInProcess } from '../../process/point-stat.js';
import { readMountinfo } from '../../process/read-mountinfo.js';
import { formatStep } from '../../restore/apply.js';
import { externalOption, externalsIn, tiesIn } from '../../restore/externals.js';
import type { Places } from '../../restore/places.js';
import type { External, LiveFacts, Tie } from '../../restore/plan.js';
import { prepareRestore, restore, RestoreRefusedError, type RestoreOptions } from '../../restore/restore.js';
import { isSetDocument, loadTopology, loadTopologySet, type Topology, type TopologySet } from '../../restore/topology.js';
import { absoluteDirectory } from './dump.js';
import { restoreSetCommand } from './restore-set.js';

export interface RestoreCliOptions {
  into: string;
  staging: string;
  dryRun?: boolean;
  backend: 'kernel' | 'model';
  external: External[];
  tie: { group: number; path: string }[];
  json?: boolean;
}

/** `SUPERBLOCK=PATH` or `SUPERBLOCK:ROOT=PATH`: where a superblock (its ROOT, default /) is available. */
function parseExternal(value: string, previous: External[]): External[] {
  const match = /^(\d+:\d+)(?::(\/[^=]*))?=(\/.*)$/.exec(value);
  if (!match) throw new UsageError(`--external takes MAJOR:MINOR[:ROOT]=PATH (e.g. 8:1=/mnt/disk), not '${value}'`);
  return [...previous, { superblock: match[1]!, root: match[2] ?? '/', path: match[3]! }];
}

/** `GROUP=PATH`: the dump's peer group GROUP is the live group of the shared mount whose root is PATH. */
function parseTie(value: string, previous: RestoreCliOptions['tie']): RestoreCliOptions['tie'] {
  const match = /^(\d{1,10})=(\/.*)$/.exec(value);
  if (!match) throw new UsageError(`--tie takes GROUP=PATH (e.g. 1=/srv), not '${value}'`);
  return [...previous, { group: Number(match[1]), path: match[2]! }];
}

/** What this namespace's mountinfo shows of a superblock: its type, and whether it is read-only. */
function factsOf(entry: MountInfo | undefined): LiveFacts {
  return entry === undefined ? {} : { fsType: entry.fsType, readOnly: entry.superOptions.split(',')[0] === 'ro' };
}

/** A named external with what this namespace shows of the superblock at its path, for the plan to check. */
function withFacts(external: External, entries: readonly MountInfo[]): External {
  const found = statInProcess('self', external.path);
  return { ...external, ...factsOf(entries.find((entry) => found?.superblock === `${entry.major}:${entry.minor}`)) };
}

/** A tie as the plan takes it: PATH must be the root of a shared mount of this namespace. */
function resolveTie(tie: RestoreCliOptions['tie'][number]): Tie {
  const found = locate(tie.path, 'self');
  const where = `--tie ${tie.group}=${tie.path}`;
  if (!found) throw new UsageError(`${where}: '${tie.path}' is not on a mount of this namespace`);
  if (!found.isRoot) throw new UsageError(`${where}: '${tie.path}' is not the root of a mount (it lies inside the mount at '${found.mount.mountPoint}')`);
  const { mount } = found;
  if (mount.shared === undefined) throw new UsageError(`${where}: the mount at '${tie.path}' is ${describePropagation(mount)}, not a member of a peer group`);
  if (mount.shared !== tie.group) {
    process.stderr.write(`note: ${where}: the mount is in peer group ${mount.shared}, not ${tie.group} (as it would be in the namespace dumped, on this boot)\n`);
  }
  return { group: tie.group, path: tie.path, root: mount.root, ...factsOf(mount) };
}

/** Mounts of this namespace that could be named with --external or --tie for what the plan lacks, as hints. */
function hintsFor(topology: Topology, named: { externals: readonly External[]; ties: readonly Tie[] }, places: readonly string[]): string[] {
  const entries = readMountinfo('self');
  const namedKeys = new Set(named.externals.map((external) => external.superblock));
  const tiedGroups = new Set(named.ties.map((tie) => tie.group));
  const externals = externalsIn(entries, topology, places)
    .filter((external) => !namedKeys.has(external.superblock))
    .map((external) => `this namespace shows superblock ${external.superblock} (${external.fsType}) at ${external.path}: ${externalOption(external)}`);
  const ties = tiesIn(entries, topology, places)
    .filter((tie) => !tiedGroups.has(tie.group))
    .map((tie) => `this namespace has a member of peer group ${tie.group} at ${tie.path}: --tie ${tie.group}=${tie.path}`);
  return [...externals, ...ties];
}

/** `restore`'s result; when it refuses, first the hints (mounts that could be named) on stderr. */
function withHints<T>(hints: () => string[], body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof RestoreRefusedError) printHints(hints());
    throw error;
  }
}

function printHints(hints: readonly string[]): void {
  for (const hint of hints) process.stderr.write(`hint: ${hint}\n`);
}

/** A document, as JSON; a set of namespaces (version 3) as a TopologySet, any other as a Topology. */
function readDocument(file: string): { set: TopologySet } | { topology: Topology } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(`${file} is not JSON: ${error.message}`);
    throw error;
  }
  return isSetDocument(value) ? { set: loadTopologySet(value) } : { topology: loadTopology(value) };
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

const helpAfter = `
Superblocks:
  A new mount is made only of filesystems whose every mount is a superblock of its own (tmpfs,
  ramfs, proc, devpts, hugetlbfs, bpf). The others (sysfs: one per network namespace; mqueue: one
  per IPC namespace; cgroup and cgroup2: the live hierarchies; disks; debugfs and the like) are
  bound from a mount named with --external MAJOR:MINOR[:ROOT]=PATH and nothing is written in them;
  without one the restore is refused before anything is done, with the mounts of this namespace
  that could be named. A mount of a file (a runtime's /etc/hosts, /proc/keys masked with /dev/null)
  is restored on an empty file (touch in --dry-run).

Ties to live groups:
  A container's mounts are usually slaves of the host's peer groups (runc's default propagation is
  rslave): restoring them alone leaves masters with no member in the dump. --tie GROUP=PATH names a
  live member of such a group (a shared mount root here); the restored mounts become its slaves (or
  peers) by set-group then make-slave, as attach does, and their superblock is bound from PATH.

Example (a runc container whose root is a slave of the shared mount /run/c, peer group 1):
  mount-set-group dump --pid 4242 -o c.json
  mount-set-group restore c.json --into /mnt/copy --tie 1=/run/c --external 0:29=/sys/fs/cgroup/cpu --dry-run
`;

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
        'takes a restored tree down, and once more the bind under it.\n\n' +
        'A set of namespaces (a document dump wrote from several --pid): each namespace is rebuilt at --into in a new ' +
        'mount namespace (unshare -m, with unshare -U where the document names a user namespace), held by a process ' +
        'that outlives this command (its pid and the nsenter command that enters it are printed; kill it to end the ' +
        'namespace); the superblocks are made once here and reach each namespace as detached copies; the groups and ' +
        'slaves that span namespaces are joined with set-group across them. The result is dumped back and compared ' +
        'with the document; any failure undoes every step and ends every process started. --tie is for one namespace.',
    )
    .argument('<topology>', 'a document written by mount-set-group dump')
    .requiredOption('--into <dir>', 'absolute directory to rebuild the topology at')
    .option('--dry-run', 'print the plan, what it does at --into and staging, and anything that cannot be restored, without doing anything')
    .addOption(new Option('--backend <backend>', 'where to restore').choices(['kernel', 'model']).default('kernel'))
    .option('--staging <dir>', 'absolute directory for the temporary staging tmpfs (outside --into)', join(tmpdir(), 'mount-set-group-staging'))
    .option('--external <sb=path>', 'a superblock that cannot be created afresh is available at PATH (repeatable)', parseExternal, [])
    .option(
      '--tie <group=path>',
      "the dump's peer group GROUP, which its mounts are members or slaves of, is the live group of the shared mount at PATH: " +
        'the restored mounts join it, or become its slaves, by set-group, and their superblock is bound from PATH (repeatable; kernel backend)',
      parseTie,
      [],
    )
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', helpAfter)
    .action((file: string, options: RestoreCliOptions) => {
      const document = readDocument(file);
      const into = absoluteDirectory(options.into, '--into');
      const staging = absoluteDirectory(options.staging, '--staging');
      if ('set' in document) {
        if (options.tie.length > 0) throw new UsageError("--tie ties one namespace's mounts to live groups; a set's groups are tied across its namespaces by the restore");
        const externals = options.backend === 'kernel' ? options.external.map((external) => withFacts(external, readMountinfo('self'))) : options.external;
        return restoreSetCommand(document.set, { ...options, into, staging, externals, progress: progressReporter(options.json) });
      }
      const { topology } = document;
      if (options.backend === 'model' && options.tie.length > 0) throw new UsageError('--tie names a live mount of this namespace: it needs --backend kernel');
      const kernel = options.backend === 'kernel';
      const externals = kernel ? options.external.map((external) => withFacts(external, readMountinfo('self'))) : options.external;
      const ties = options.tie.map(resolveTie);
      const restoreOptions: RestoreOptions = { into, staging, externals, ties };
      const hints = () => (kernel && !options.json ? hintsFor(topology, { externals, ties }, [into, staging]) : []);
      const ns = namespaceFor(options.backend, into);
      if (options.dryRun) return printPlan(ns, topology, restoreOptions, options.json, hints);
      const result = withHints(hints, () => restore(ns, topology, {
        ...restoreOptions,
        ...(options.backend === 'model' ? { superOptions: 'rw' as const } : {}),
        progress: progressReporter(options.json),
      }));
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

/** The plan, what it does at its places, and what would stop it (with, on the kernel, the mounts that could be named). */
function printPlan(ns: MountNamespace, topology: Topology, options: RestoreOptions, json: boolean | undefined, hints: () => string[]): void {
  const { places, plan, problems } = prepareRestore(ns, topology, options);
  if (json) process.stdout.write(`${JSON.stringify({ ...plan, problems, places })}\n`);
  else {
    process.stdout.write(`# plan: restore ${plan.mounts} mounts at ${plan.into} in ${plan.steps.length} steps\n`);
    for (const note of placeNotes(places)) process.stdout.write(`${note}\n`);
    for (const step of plan.steps) process.stdout.write(`${formatStep(step)}\n`);
    for (const problem of problems) process.stderr.write(`cannot restore: ${problem}\n`);
    if (problems.length > 0) printHints(hints());
  }
  if (problems.length > 0) throw new CliExit(1);
}
