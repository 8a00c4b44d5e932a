// mount-set-group show [--pid PID] [--under DIR] [--graph | --json]: a process's mount tree with its
// peer groups and masters, its propagation graph as Graphviz DOT, or its table as JSON. Like findmnt,
// it exits 1 when no mount matches.
import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { CliExit, UsageError } from '../errors.js';
import { procError } from '../../process/proc.js';
import { renderJson } from '../format/json.js';
import { readMountinfo } from '../../process/read-mountinfo.js';
import type { MountInfo } from '../../mountinfo/types.js';
import { renderDot } from '../format/dot.js';
import { mountsUnder, renderTree } from '../format/tree.js';

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

/** A mount table as `show` prints it: the findmnt-like tree, DOT with --graph, JSON with --json; CliExit(1) when no mount is at or under --under. */
export function renderMounts(mounts: readonly MountInfo[], options: RenderOptions): string {
  const shown = mountsUnder(mounts, options.under);
  if (shown.length === 0) throw new CliExit(1, `no mounts at or under '${options.under}'`);
  if (options.graph) return renderDot(shown);
  return options.json ? renderJson(shown) : renderTree(shown);
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
        'with peer groups (shared:N) and masters (master:N) spelled out; --graph prints the propagation graph as Graphviz DOT.',
    )
    .option('--pid <pid>', 'the process whose mount namespace to show', positiveInteger)
    .option('--under <dir>', 'only mounts at or under this directory')
    .addOption(new Option('--graph', 'print Graphviz DOT: peer groups as clusters, slave and tree edges, a legend (render with dot -Tsvg)').conflicts('json'))
    .option('--json', 'print the table as JSON, as findmnt --json --list does: {"filesystems": [...]}')
    .action((options: RenderOptions & { pid?: number }) => {
      if (options.under !== undefined && !options.under.startsWith('/')) throw new UsageError(`--under must be an absolute path, not '${options.under}'`);
      process.stdout.write(renderMounts(mountTableOf(options.pid), options));
    });
}
