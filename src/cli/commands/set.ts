// mount-set-group set SOURCE TARGET [--method auto|move_mount|mount]
import { Command, Option } from 'commander';
import { setGroup, type SetGroupMethod } from '../../set-group/set-group.js';
import { inCommandTerms } from '../arguments.js';

export function setCommand(): Command {
  return new Command('set')
    .summary("join the private mount TARGET into SOURCE's peer group")
    .description(
      'Put the private mount at TARGET into the peer group (and master) of the mount at SOURCE. ' +
        'Both must be mount roots of one filesystem, TARGET private, SOURCE shared or a slave. ' +
        'Acts on the mount namespace this command runs in.',
    )
    .argument('<source>', 'root of a shared or slave mount (a path; /proc/PID/root/... reaches another namespace)')
    .argument('<target>', 'root of a private mount of the same filesystem')
    .addOption(
      new Option('--method <method>', 'which form of set-group to call')
        .choices(['auto', 'move_mount', 'mount'])
        .default('auto'),
    )
    .option('--json', 'print the result (and errors) as JSON')
    .action(async (source: string, target: string, options: { method: SetGroupMethod; json?: boolean }) => {
      const form = await inCommandTerms({ source: 'SOURCE', target: 'TARGET' }, () => setGroup(source, target, { method: options.method }));
      if (options.json) process.stdout.write(`${JSON.stringify({ source, target, method: form })}\n`);
    });
}
