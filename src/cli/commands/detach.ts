// mount-set-group detach PID TARGET [--via auto|caller|nsenter] [--json]
import { Command } from 'commander';
import { detach, type DetachResult, type Via } from '../../attach/index.js';
import { renderLine } from '../../mountinfo/render.js';
import { parsePid, routeWords, viaOption } from './attach.js';
import { inCommandTerms } from '../arguments.js';

function describe(result: DetachResult): string {
  return [
    `detached ${result.target} in process ${result.pid}: it and every mount below it are private now`,
    `  process ${result.pid} sees: ${renderLine(result.volume)}`,
    `  (propagation changed ${routeWords(result.via)})`,
    'New mounts under the source no longer show up there; those already there stay.',
    '',
  ].join('\n');
}

export function detachCommand(): Command {
  return new Command('detach')
    .summary("stop propagating into a container volume (make it private again)")
    .description(
      'Undo attach: make the volume TARGET of the container that process PID is in private again, with every mount below it ' +
        '(mount --make-rprivate inside its namespace), so that new mounts under the source no longer show up there.',
    )
    .argument('<pid>', 'a process in the container', parsePid)
    .argument('<target>', "the volume: an absolute path inside PID's mount namespace that is the root of a mount there")
    .addOption(viaOption())
    .option('--json', 'print the result (and errors) as JSON')
    .action(async (pid: number, target: string, options: { via: Via; json?: boolean }) => {
      const result = await inCommandTerms({ 'options.pid': 'PID', 'options.target': 'TARGET' }, () => detach({ pid, target, via: options.via }));
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : describe(result));
    });
}
