// Test child (runs under unshare -m --propagation private): the CLI round trip a person would type —
// build the seed's configuration, `dump --under`, `restore --dry-run`, `restore` on the kernel and
// on the model — each command a separate process in this namespace. Prints what each printed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nodeArguments } from '../../../src/process/child.js';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { withScratch } from '../../../src/process/scratch.js';
import { runScenario } from '../../../src/scenario/run.js';
import { restoreScenarios } from '../../restore/scenarios.js';

const main = new URL('../../../src/cli/main.ts', import.meta.url);

function cli(args: string[]) {
  const run = spawnSync(process.execPath, nodeArguments(main, args), { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const result = await withScratch((dir) => {
  const [source, into, staging, file] = ['source', 'into', 'staging', 'topology.json'].map((name) => join(dir, name)) as [string, string, string, string];
  const ns = new KernelNamespace();
  ns.mkdir(source);
  ns.mount('tmpfs', 'source', source);
  ns.mkdir(into);
  const built = runScenario(ns, restoreScenarios.seedConfiguration!, { cwd: source });
  return {
    dir,
    built: built.failures.length,
    dump: cli(['dump', '--under', source, '-o', file]),
    dryRun: cli(['restore', file, '--into', into, '--staging', staging, '--dry-run']),
    model: cli(['restore', file, '--into', into, '--staging', staging, '--backend', 'model']),
    kernel: cli(['restore', file, '--into', into, '--staging', staging, '--json']),
    show: cli(['show', '--under', into]),
    again: cli(['restore', file, '--into', into, '--staging', staging]),
    showAfterAgain: cli(['show', '--under', into]),
  };
});
process.stdout.write(JSON.stringify(result));
