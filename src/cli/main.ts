#!/usr/bin/env node
// The mount-set-group command. The only place that decides the process's exit status.
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);
