// mount-set-group show [--pid PID] [--under DIR] [--graph]: a process's mount tree with its peer
// groups and masters, or its propagation graph as Graphviz DOT.
import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { readMountinfo } from '../../process/read-mountinfo.js';
import type { MountInfo } from '../../mountinfo/types.js';
import { renderDot } from '../format/dot.js';
import { mountsUnder, renderTree } from '../format/tree.js';

/** Commander's parser for a positive integer option. */
export function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new CommanderArgumentError(`expected a positive integer, not '${value}'`);
  return Number(value);
}

/** A mount table as `show` prints it: the findmnt-like tree, or DOT with --graph. */
export function renderMounts(mounts: readonly MountInfo[], options: { under?: string; graph?: boolean }): string {
  const shown = mountsUnder(mounts, options.under);
  return options.graph ? renderDot(shown) : renderTree(shown);
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
    .option('--graph', 'print Graphviz DOT: peer groups as clusters, master edges (render with dot -Tsvg)')
    .action((options: { pid?: number; under?: string; graph?: boolean }) => {
      if (options.under !== undefined && !options.under.startsWith('/')) throw new UsageError(`--under must be an absolute path, not '${options.under}'`);
      process.stdout.write(renderMounts(readMountinfo(options.pid ?? 'self'), options));
    });
}
