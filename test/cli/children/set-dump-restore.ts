// Test child (runs under unshare -m --propagation private): the README's worked example — a host
// namespace (this one) and two "containers" (unshare -m, one keeping the volume's group as a peer,
// one as a slave) sharing a volume, dumped as one set, torn down, restored each in a new namespace,
// shown and compared — each command a separate process, as a person would type them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { KernelNamespace } from '../../../src/kernel/namespace.js';
import { nodeArguments } from '../../../src/process/child.js';
import { withScratch } from '../../../src/process/scratch.js';

const main = new URL('../../../src/cli/main.ts', import.meta.url);

function cli(args: string[]) {
  const run = spawnSync(process.execPath, nodeArguments(main, args), { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A "container": a process in a new mount namespace, copied from this one with --propagation `propagation`. */
function container(propagation: string): ChildProcess {
  const child = spawn('unshare', ['-m', '--propagation', propagation, 'sleep', 'infinity'], { stdio: 'ignore' });
  const ours = readlinkSync('/proc/self/ns/mnt');
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    try {
      if (readlinkSync(`/proc/${child.pid}/ns/mnt`) !== ours) return child;
    } catch {
      // not started yet
    }
    spawnSync('sleep', ['0.01']);
  }
  throw new Error('the container did not start');
}

const result = await withScratch((dir) => {
  const [vol, app, into, staging, file] = ['vol', 'app', 'restored', 'staging', 'set.json'].map((name) => join(dir, name)) as [string, string, string, string, string];
  const ns = new KernelNamespace();
  for (const [path, source] of [[vol, 'volume'], [app, 'app']] as const) {
    ns.mkdir(path);
    ns.mount('tmpfs', source, path);
  }
  ns.changePropagation(vol, 'shared');
  const peer = container('unchanged');
  const slave = container('slave');
  const inPeer = spawnSync('nsenter', ['-t', String(peer.pid), '-m', 'sh', '-c', `mkdir ${app}/cache && mount -t tmpfs cache ${app}/cache`], { encoding: 'utf8' });
  ns.mkdir(`${vol}/data`);
  ns.mount('tmpfs', 'data', `${vol}/data`); // propagates to both containers
  const dump = cli(['dump', '--pid', `host=${process.pid}`, '--pid', `web=${peer.pid}`, '--pid', `db=${slave.pid}`, '--under', dir, '-o', file]);
  const document = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const shownBefore = cli(['show', '--pid', `host=${process.pid}`, '--pid', `web=${peer.pid}`, '--pid', `db=${slave.pid}`, '--under', dir]);
  peer.kill('SIGKILL');
  slave.kill('SIGKILL');
  const dryRun = cli(['restore', file, '--into', into, '--staging', staging, '--dry-run']);
  const model = cli(['restore', file, '--into', into, '--staging', staging, '--backend', 'model']);
  const kernel = cli(['restore', file, '--into', into, '--staging', staging, '--json']);
  const restored = kernel.status === 0 ? (JSON.parse(kernel.stdout) as { namespaces: { name: string; pid: number }[] }).namespaces : [];
  const pids = restored.map(({ name, pid }) => `${name}=${pid}`);
  const shownAfter = cli(['show', ...pids.flatMap((pid) => ['--pid', pid]), '--under', into]);
  const graph = cli(['show', ...pids.flatMap((pid) => ['--pid', pid]), '--under', into, '--graph']);
  const dumpAgain = cli(['dump', ...pids.flatMap((pid) => ['--pid', pid]), '--under', into]);
  for (const { pid } of restored) process.kill(pid, 'SIGKILL');
  return { dir, inPeer: inPeer.status, dump, document, shownBefore, dryRun, model, kernel, shownAfter, graph, dumpAgain };
});
process.stdout.write(JSON.stringify(result));
