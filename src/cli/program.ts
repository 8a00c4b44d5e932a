// The command tree: one module per command in ./commands, each returning a commander Command.
// Every command gets --debug, exits 2 on a wrong command line with one line naming the problem and
// where to look, and 1 when the operation itself fails (see report.ts).
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { attachCommand } from './commands/attach.js';
import { demoCommand } from './commands/demo.js';
import { detachCommand } from './commands/detach.js';
import { dumpCommand } from './commands/dump.js';
import { emulateCommand } from './commands/emulate.js';
import { kernelBuildCommand } from './commands/kernel-build.js';
import { probeCommand } from './commands/probe.js';
import { restoreCommand } from './commands/restore.js';
import { setCommand } from './commands/set.js';
import { showCommand } from './commands/show.js';
import { vmCommand } from './commands/vm.js';
import { report, singleLine } from './report.js';

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Commander's message with its hint on a line of its own ("\n(Did you mean set?)") put after it on the same line. */
function joinedHint(message: string): string {
  return message.replace(/\n\(Did you mean /, ' (did you mean ');
}

/**
 * Gives `command` and its subcommands the shared settings: --debug, no exit(), one-line errors
 * (left to report() with --json, which writes them as JSON).
 */
function configureTree(command: Command, json: boolean): void {
  command
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({
      outputError: (message, write) => {
        if (!json) write(`${singleLine(joinedHint(message.trim()).replace(/^error: /, `${commandPath(command)}: `))} (see ${commandPath(command)} --help)\n`);
      },
    });
  for (const sub of command.commands) configureTree(sub, json);
}

/** This package's version, from its own package.json (not npm's npm_package_version, which is the caller's project's). */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

export function buildProgram(options: { json?: boolean } = {}): Command {
  const program = new Command('mount-set-group')
    .description('Join mounts into existing peer groups (set-group), model mount propagation, dump and restore mount namespaces.')
    .version(packageVersion(), '--version')
    .addCommand(setCommand())
    .addCommand(probeCommand())
    .addCommand(demoCommand())
    .addCommand(showCommand())
    .addCommand(emulateCommand())
    .addCommand(dumpCommand())
    .addCommand(restoreCommand())
    .addCommand(attachCommand())
    .addCommand(detachCommand())
    .addCommand(vmCommand())
    .addCommand(kernelBuildCommand());
  configureTree(program, options.json ?? false);
  return program;
}

/** The words before a `--`: flags there are ours, flags after it belong to a command being run. */
function ownWords(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.slice(2, end < 0 ? undefined : end);
}

/** Runs the CLI on `argv` (as process.argv) and returns the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  const words = ownWords(argv);
  const options = { debug: words.includes('--debug'), json: words.includes('--json') };
  try {
    await buildProgram(options).parseAsync(argv);
    return 0;
  } catch (error) {
    return report(error, options);
  }
}
