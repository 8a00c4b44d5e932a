// mount-set-group dump [--pid [NAME=]PID]... | --mountinfo FILE] [--under DIR] [--set] [-o FILE]: a
// mount namespace's topology as a versioned JSON document, for restore; with several --pid (or
// --set), the set of their mount namespaces, each once, as one document (version 3).
import { writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { namespaceIdsOf } from '../../process/namespaces.js';
import { statInProcess } from '../../process/point-stat.js';
import { procError } from '../../process/proc.js';
import { parseFile, readMountinfo } from '../../process/read-mountinfo.js';
import { dump, dumpSet, type DumpedProcess } from '../../restore/dump.js';
import { namedPids, type NamedPid } from './show.js';

/** A live process as dumpSet() takes it: its namespaces, its mount table, and a look at its files through /proc/PID/root. */
function liveProcess({ pid, name }: NamedPid): DumpedProcess {
  let entries;
  try {
    entries = readMountinfo(pid);
  } catch (error) {
    throw procError(pid, `/proc/${pid}/mountinfo`, error);
  }
  return { name: name ?? String(pid), namespaceIds: namespaceIdsOf(pid), entries, look: (mountPoint: string) => statInProcess(pid, mountPoint) };
}

/** An absolute, normalized directory from the command line. */
export function absoluteDirectory(value: string, option: string): string {
  if (!value.startsWith('/')) throw new UsageError(`${option} must be an absolute path, not '${value}'`);
  return posix.normalize(value).replace(/(.)\/$/, '$1');
}

export function dumpCommand(): Command {
  return new Command('dump')
    .summary("a mount namespace's topology as JSON")
    .description(
      "Write the topology of a mount namespace (each mount's point, root, filesystem, superblock, options, parent, " +
        'peer group and master) as JSON, from a live process or a saved mountinfo file. From a live process it also ' +
        'records which mounts are of files (looked at through /proc/PID/root), so that restore makes files for them; ' +
        'a saved mountinfo cannot say (file: null, restored as directories). With several --pid, one document (version 3) ' +
        "holds the mount namespace of each, once however many of them share it, with its user namespace (null: this process's; " +
        'else a name the namespaces of one user namespace share), and the peer groups and masters as the system has them, ' +
        'so that a group with members in several namespaces is one group of the document.',
    )
    .option('--pid <[name=]pid>', 'dump the mount namespace of this process (default: this one); repeat it to dump a set of namespaces, each once, named NAME (default: the PID)', namedPids)
    .option('--mountinfo <file>', 'dump a saved copy of /proc/PID/mountinfo instead of a live process')
    .option('--under <dir>', 'only mounts at or under this directory; mount points become relative to it', '/')
    .option('--set', 'write a set of namespaces (version 3) even for one --pid')
    .option('-o, --output <file>', 'write the document here instead of stdout')
    .action((options: { pid?: NamedPid[]; mountinfo?: string; under: string; set?: boolean; output?: string }) => {
      if (options.pid !== undefined && options.mountinfo !== undefined) throw new UsageError('choose one of --pid and --mountinfo');
      if (options.set && options.pid === undefined) throw new UsageError('--set dumps the namespaces of processes: name them with --pid');
      const under = absoluteDirectory(options.under, '--under');
      let topology: unknown;
      if (options.pid !== undefined && (options.set || options.pid.length > 1)) {
        topology = dumpSet(options.pid.map(liveProcess), { under, ownUser: namespaceIdsOf('self').user });
      } else {
        const pid = options.pid?.[0]?.pid ?? 'self';
        const entries = options.mountinfo === undefined ? readMountinfo(pid) : parseFile(options.mountinfo);
        const look = options.mountinfo === undefined ? (mountPoint: string) => statInProcess(pid, mountPoint) : undefined;
        topology = dump(entries, under, look);
      }
      const document = `${JSON.stringify(topology, null, 2)}\n`;
      if (options.output === undefined) process.stdout.write(document);
      else writeFileSync(options.output, document);
    });
}
