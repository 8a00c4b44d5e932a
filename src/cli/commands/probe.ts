// mount-set-group probe [--json]: which forms of set-group this kernel offers.
import { Command } from 'commander';
import { CliExit } from '../errors.js';
import { probe, type ProbeResult } from '../../set-group/probe.js';

function formLine(label: string, works: boolean, code: string | undefined, needs: string): string {
  return `${label.padEnd(38)}${works ? 'supported' : `not supported${code ? ` (${code})` : ''}: ${needs}`}`;
}

function describe(result: ProbeResult): string {
  if (!result.probed) return `kernel ${result.release}\ncould not probe: ${result.reason}\n`;
  return [
    `kernel ${result.release}`,
    formLine('mount(2) MS_SET_GROUP', result.mount, result.errors.mount, 'needs a kernel patched from kernel-patch/'),
    formLine('move_mount(2) MOVE_MOUNT_SET_GROUP', result.moveMount, result.errors.moveMount, 'needs Linux >= 5.15'),
    `set --method auto uses: ${result.preferred ?? 'nothing (set-group is unavailable)'}`,
    '',
  ].join('\n');
}

export function probeCommand(): Command {
  return new Command('probe')
    .summary("which forms of set-group this kernel supports")
    .description(
      'Find out which forms of set-group the running kernel supports by trying each on throwaway mounts ' +
        'in a private mount namespace. Exits 0 when at least one form works, 1 otherwise.',
    )
    .option('--json', 'print the result as JSON')
    .action((options: { json?: boolean }) => {
      const result = probe();
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : describe(result));
      if (!result.preferred) throw new CliExit(1);
    });
}
