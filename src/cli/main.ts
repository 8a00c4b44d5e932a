#!/usr/bin/env node
// The mount-set-group command. The only place that decides the process's exit status.
import { runCli } from './program.js';

// A reader that stops reading (`| head -1`) ends the command quietly, as findmnt ends: the writes
// come after the work, which is synchronous, so nothing is cut half-way.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv);
