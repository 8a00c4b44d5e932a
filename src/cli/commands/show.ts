// mount-set-group show [--pid [NAME=]PID]... [--under DIR] [--graph | --json]: a process's mount tree
// with its peer groups and masters, its propagation graph as Graphviz DOT, or its table as JSON; with
// several --pid, the mount namespaces of all of them (each once), which namespace each mount lives in
// and the groups and slaves that tie them. Like findmnt, it exits 1 when no mount matches.
import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { namespaceIdsOf } from '../../process/namespaces.js';
import { CliExit, UsageError } from '../errors.js';
import { procError } from '../../process/proc.js';
import { renderJson } from '../format/json.js';
import { readMountinfo } from '../../process/read-mountinfo.js';
import type { MountInfo } from '../../mountinfo/types.js';
import { renderDot } from '../format/dot.js';
import { mountsUnder, renderTree, type NamespaceOf } from '../format/tree.js';

/** Commander's parser for a positive integer option. */
export function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new CommanderArgumentError(`expected a positive integer, not '${value}'`);
  return Number(value);
}

export interface RenderOptions {
  under?: string;
  graph?: boolean;
  json?: boolean;
}

/**
 * A mount table as `show` prints it: the findmnt-like tree, DOT with --graph, JSON with --json;
 * CliExit(1) when no mount is at or under --under. With `namespaceOf`, the mounts of several
 * namespaces, each named.
 */
export function renderMounts(mounts: readonly MountInfo[], options: RenderOptions, namespaceOf?: NamespaceOf): string {
  const shown = mountsUnder(mounts, options.under);
  if (shown.length === 0) throw new CliExit(1, `no mounts at or under '${options.under}'`);
  if (options.graph) return renderDot(shown, namespaceOf);
  return options.json ? renderJson(shown, namespaceOf) : renderTree(shown, namespaceOf);
}

/** A process named on the command line: `PID`, or `NAME=PID` (NAME names its namespace in a set). */
export interface NamedPid {
  pid: number;
  name?: string;
}

/** Commander's parser for a repeatable `--pid [NAME=]PID`. */
export function namedPids(value: string, previous: NamedPid[] = []): NamedPid[] {
  const match = /^(?:([A-Za-z0-9][A-Za-z0-9_.-]{0,63})=)?(.*)$/.exec(value)!;
  if (match[1] === undefined && value.includes('=')) throw new CommanderArgumentError(`expected PID or NAME=PID (NAME a word of letters, digits, '.', '_', '-'), not '${value}'`);
  return [...previous, { pid: positiveInteger(match[2]!), ...(match[1] === undefined ? {} : { name: match[1] }) }];
}

/** The mount tables of the namespaces of several processes, each namespace once (named after its first process), and where each mount lives. */
function setTablesOf(pids: readonly NamedPid[]): { mounts: MountInfo[]; namespaceOf: Map<number, string> } {
  const seen = new Set<string>();
  const mounts: MountInfo[] = [];
  const namespaceOf = new Map<number, string>();
  for (const { pid, name } of pids) {
    const { mount } = namespaceIdsOf(pid);
    if (seen.has(mount)) continue;
    seen.add(mount);
    for (const entry of mountTableOf(pid)) {
      mounts.push(entry);
      namespaceOf.set(entry.id, name ?? String(pid));
    }
  }
  return { mounts, namespaceOf };
}

/** The mount table of process `pid` (this one when undefined); a process that is gone is ESRCH, as attach says. */
function mountTableOf(pid: number | undefined): MountInfo[] {
  if (pid === undefined) return readMountinfo('self');
  try {
    return readMountinfo(pid);
  } catch (error) {
    throw procError(pid, `/proc/${pid}/mountinfo`, error);
  }
}

export function showCommand(): Command {
  return new Command('show')
    .summary("a process's mount tree with peer groups and masters (--graph: DOT)")
    .description(
      'Print the mount tree of a process (default: this one) like findmnt -o TARGET,SOURCE,FSTYPE,PROPAGATION, ' +
        'with peer groups (shared:N) and masters (master:N) spelled out; --graph prints the propagation graph as Graphviz DOT. ' +
        'With several --pid, the mount namespaces of all of them, each once: a NAMESPACE column (a namespace field in --json), ' +
        'and in --graph each mount labelled with its namespace, each group with the namespaces it spans, and slave edges across namespaces drawn bold.',
    )
    .option('--pid <[name=]pid>', 'the process whose mount namespace to show; repeat it to show the namespaces of several, each once, named NAME (default: the PID)', namedPids)
    .option('--under <dir>', 'only mounts at or under this directory')
    .addOption(new Option('--graph', 'print Graphviz DOT: peer groups as clusters, slave and tree edges, a legend (render with dot -Tsvg)').conflicts('json'))
    .option('--json', 'print the table as JSON, as findmnt --json --list does: {"filesystems": [...]}')
    .action((options: RenderOptions & { pid?: NamedPid[] }) => {
      if (options.under !== undefined && !options.under.startsWith('/')) throw new UsageError(`--under must be an absolute path, not '${options.under}'`);
      if (options.pid !== undefined && options.pid.length > 1) {
        const { mounts, namespaceOf } = setTablesOf(options.pid);
        return void process.stdout.write(renderMounts(mounts, options, namespaceOf));
      }
      process.stdout.write(renderMounts(mountTableOf(options.pid?.[0]?.pid), options));
    });
}
