// mount-set-group dump [--pid PID | --mountinfo FILE] [--under DIR] [-o FILE]: a mount namespace's
// topology as a versioned JSON document, for restore.
import { writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { statInProcess } from '../../process/point-stat.js';
import { parseFile, readMountinfo } from '../../process/read-mountinfo.js';
import { dump } from '../../restore/dump.js';
import { positiveInteger } from './show.js';

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
        'a saved mountinfo cannot say (file: null, restored as directories).',
    )
    .option('--pid <pid>', 'dump the mount namespace of this process (default: this one)', positiveInteger)
    .option('--mountinfo <file>', 'dump a saved copy of /proc/PID/mountinfo instead of a live process')
    .option('--under <dir>', 'only mounts at or under this directory; mount points become relative to it', '/')
    .option('-o, --output <file>', 'write the document here instead of stdout')
    .action((options: { pid?: number; mountinfo?: string; under: string; output?: string }) => {
      if (options.pid !== undefined && options.mountinfo !== undefined) throw new UsageError('choose one of --pid and --mountinfo');
      const pid = options.pid ?? 'self';
      const entries = options.mountinfo === undefined ? readMountinfo(pid) : parseFile(options.mountinfo);
      const look = options.mountinfo === undefined ? (mountPoint: string) => statInProcess(pid, mountPoint) : undefined;
      const document = `${JSON.stringify(dump(entries, absoluteDirectory(options.under, '--under'), look), null, 2)}\n`;
      if (options.output === undefined) process.stdout.write(document);
      else writeFileSync(options.output, document);
    });
}
