// Guest job: probe() as the library runs it (its child in a private namespace), and the CLI's
// `mount-set-group probe --json`, both on the kernel the guest booted.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { probe } from '../../../src/set-group/probe.js';
import { writeResult } from './result.js';

const cliMain = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const cli = spawnSync(process.execPath, [...process.execArgv, cliMain, 'probe', '--json'], { encoding: 'utf8', timeout: 120_000 });
writeResult({ probe: probe(), cli: { status: cli.status, stdout: cli.stdout, stderr: cli.stderr } });
