// mount-set-group attach PID SOURCE TARGET [--mode slave|shared] [--via auto|caller|nsenter] [--json]
import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { attach, type AttachMode, type AttachResult, type PropagationRoute, type Via } from '../../attach/index.js';
import { renderLine } from '../../mountinfo/render.js';
import { inCommandTerms } from '../arguments.js';

/** A commander parser for a process id (the API checks its range). */
export function parsePid(text: string): number {
  if (!/^\d+$/.test(text)) throw new CommanderArgumentError('PID must be a process id (a positive integer)');
  return Number(text);
}

/** The --via option both attach and detach take. */
export function viaOption(): Option {
  return new Option('--via <route>', "where the volume's propagation change runs: this process (caller), a helper in the container's mount namespace (nsenter), or whichever the kernel allows (auto, probed)")
    .choices(['auto', 'caller', 'nsenter'])
    .default('auto');
}

/** Who changed the volume's propagation, in words. */
export function routeWords(via: PropagationRoute): string {
  return via === 'caller' ? 'by this process' : "by a helper inside the container's mount namespace (nsenter)";
}

/**
 * What propagates from now on, and no more: mounts under the directory the volume shows (the source,
 * or the part of its mount a plain-directory volume shows); for a file volume, a file mounted on it.
 */
function whatPropagates(result: AttachResult, flow: string): string {
  const { pid, source, target, propagatesFrom } = result;
  if (result.file) return `A file mounted on ${propagatesFrom} from now on is mounted on ${target} in process ${pid} too; ${flow}.`;
  const part = propagatesFrom === source ? '' : ` (the part of ${source} that ${target} shows)`;
  return `Mounts made under ${propagatesFrom}${part} from now on show up under ${target} in process ${pid}; ${flow}.`;
}

/** What the volume is now, and what propagates where from now on. */
function describe(result: AttachResult): string {
  const { pid, source, target, volume } = result;
  const [now, flow] = result.mode === 'slave'
    ? [`a slave of peer group ${volume.master} (master:${volume.master})`, 'nothing comes back']
    : [`a peer in group ${volume.shared} (shared:${volume.shared})`, 'and the other way round'];
  return [
    `attached ${source} to ${target} in process ${pid}: the volume is now ${now}`,
    `  process ${pid} sees: ${renderLine(volume)}`,
    `  (set-group by ${result.form}; propagation changed ${routeWords(result.via)})`,
    whatPropagates(result, flow),
    `Undo: mount-set-group detach ${pid} ${target}`,
    '',
  ].join('\n');
}

const helpAfter = `
What happens:
  1. Checks, changing nothing: process PID exists; TARGET (a path inside its mount namespace) is the
     root of a private mount there, a volume (a directory, or a file); SOURCE (a path here) is the
     root of a shared mount of the same filesystem. A volume bound from a plain directory (docker -v
     /srv/dir:/data) is attached with the mount that holds the directory as SOURCE; what propagates
     is then what is mounted under that directory.
     attach never changes this namespace's propagation: make SOURCE shared yourself
     (mount --make-shared SOURCE) if it is not.
  2. set-group, from this process, through /proc/PID/root/TARGET: the volume joins SOURCE's peer group.
  3. --mode slave (default): the volume becomes a slave of that group, so mounts made under SOURCE
     from now on show up under TARGET and nothing the container mounts comes back. --mode shared
     leaves it a peer: both ways (refused for a container in another user namespace).
  If step 3 fails, step 2 is undone. Mounts already under SOURCE are not copied: only new ones propagate.

Example:
  mount-set-group attach 4242 /srv/data /data
`;

export function attachCommand(): Command {
  return new Command('attach')
    .summary("propagate host mounts under SOURCE into a running container's volume")
    .description("Let mounts made under SOURCE from now on show up under TARGET, a volume of the running container that process PID is in: live mount propagation into a container whose runtime made its volume private.")
    .argument('<pid>', 'a process in the container', parsePid)
    .argument('<source>', 'root of a shared mount in this mount namespace (the host side)')
    .argument('<target>', "the volume: an absolute path inside PID's mount namespace that is the root of a private mount there")
    .addOption(new Option('--mode <mode>', 'slave: host to container only; shared: both ways').choices(['slave', 'shared']).default('slave'))
    .addOption(viaOption())
    .option('--json', 'print the result (and errors) as JSON')
    .addHelpText('after', helpAfter)
    .action(async (pid: number, source: string, target: string, options: { mode: AttachMode; via: Via; json?: boolean }) => {
      const terms = { 'options.pid': 'PID', 'options.source': 'SOURCE', 'options.target': 'TARGET' };
      const result = await inCommandTerms(terms, () => attach({ pid, source, target, mode: options.mode, via: options.via }));
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : describe(result));
    });
}
