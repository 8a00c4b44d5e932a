// Test grandchild: the attach and detach commands as the CLI runs them (program.ts adds them to
// the real tree): exit status from report(), 0, 1 or 2.
import { Command } from 'commander';
import { attachCommand } from '../../../src/cli/commands/attach.js';
import { detachCommand } from '../../../src/cli/commands/detach.js';
import { report } from '../../../src/cli/report.js';

const program = new Command('mount-set-group').addCommand(attachCommand()).addCommand(detachCommand());
for (const command of [program, ...program.commands]) command.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error, { debug: false, json: process.argv.includes('--json') });
}
