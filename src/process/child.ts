// Runs one of this package's modules in a child process inside a new, private mount namespace
// (`unshare -m --propagation private`), so that nothing it mounts can reach the caller's namespace.
// Mount namespaces are per thread and Node is threaded: this is the only safe way for a Node
// program to get a namespace of its own.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NO_SYSCALLS_VARIABLE } from '../native/addon.js';

export interface PrivateChildOptions {
  /** Text for the child's stdin. */
  input?: string;
  /** Milliseconds before the child is killed. */
  timeout?: number;
  env?: NodeJS.ProcessEnv;
}

/** The module `name` next to the calling module, with its extension (.ts under tests, .js when built). */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}

/** Node's arguments to run `module`: a .ts module (tests, tsx) needs the tsx loader. */
export function nodeArguments(module: URL, args: readonly string[]): string[] {
  const path = fileURLToPath(module);
  const loader = path.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  return [...loader, path, ...args];
}

/** The command line that runs `module` with `args` in a new private mount namespace. */
export function privateNamespaceCommand(module: URL, args: readonly string[] = []): [string, string[]] {
  return ['unshare', ['-m', '--propagation', 'private', '--', process.execPath, ...nodeArguments(module, args)]];
}

/** The child's environment: the caller's, minus the ban on syscalls (its namespace is its own). */
function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { [NO_SYSCALLS_VARIABLE]: _banned, ...rest } = env;
  return rest;
}

/** Runs `module` in a private mount namespace and waits for it. */
export function runPrivateSync(module: URL, args: readonly string[] = [], options: PrivateChildOptions = {}): SpawnSyncReturns<string> {
  const [command, commandArgs] = privateNamespaceCommand(module, args);
  return spawnSync(command, commandArgs, {
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: options.timeout,
    env: childEnv(options.env),
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** Starts `module` in a private mount namespace, with pipes for stdin, stdout and stderr. */
export function spawnPrivate(module: URL, args: readonly string[] = [], options: Pick<PrivateChildOptions, 'env'> = {}): ChildProcess {
  const [command, commandArgs] = privateNamespaceCommand(module, args);
  return spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv(options.env) });
}

/** What a probe's child answered: its JSON answer, or why there is none (no namespaces here, the child failed or said why). */
export type ChildAnswer<T> = { answer: T } | { why: string };

/** How long a probe's child may take. */
const PROBE_TIMEOUT_MS = 30_000;

/** What a probe's child that ran printed (one JSON answer, or `{ error }`), or why it failed. */
function answerOf<T extends object>(run: { error?: Error; status: number | null; stdout: string; stderr: string }): ChildAnswer<T> {
  if (run.error) return { why: `the probe's child failed to run: ${run.error.message}` };
  if (run.status !== 0) return { why: `the probe's child failed: ${run.stderr.trim().split('\n').at(-1)}` };
  const answer = JSON.parse(run.stdout) as T | { error: string };
  return 'error' in answer ? { why: answer.error } : { answer };
}

/** Runs a probe's child (a module printing one JSON answer, or `{ error }`) in a private mount namespace. */
export function askPrivateChild<T extends object>(module: URL): ChildAnswer<T> {
  const cannot = privateNamespaceUnavailable();
  if (cannot) return { why: cannot };
  return answerOf<T>(runPrivateSync(module, [], { timeout: PROBE_TIMEOUT_MS }));
}

/** askPrivateChild() without blocking: the child runs while the event loop goes on; `signal` kills it. */
export async function askPrivateChildAsync<T extends object>(module: URL, signal?: AbortSignal): Promise<ChildAnswer<T>> {
  signal?.throwIfAborted();
  const cannot = privateNamespaceUnavailable();
  if (cannot) return { why: cannot };
  const [command, args] = privateNamespaceCommand(module);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(), signal, timeout: PROBE_TIMEOUT_MS });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  try {
    const [status] = (await once(child, 'close')) as [number | null];
    return answerOf<T>({ status, ...output });
  } catch (error) {
    signal?.throwIfAborted();
    return answerOf<T>({ error: error as Error, status: null, ...output });
  }
}

/** Why this process cannot start private mount namespaces, or undefined when it can. */
export function privateNamespaceUnavailable(): string | undefined {
  unavailable ??= { why: checkPrivateNamespace() };
  return unavailable.why;
}

let unavailable: { why: string | undefined } | undefined;

function checkPrivateNamespace(): string | undefined {
  if (process.platform !== 'linux') return `mount namespaces exist only on Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (CAP_SYS_ADMIN) to create a mount namespace';
  const trial = spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (trial.error) return `cannot run unshare(1): ${trial.error.message} (install util-linux)`;
  if (trial.status !== 0) return `unshare -m fails here: ${trial.stderr.trim()}`;
  return undefined;
}

/** All of stdin, read asynchronously (a synchronous read of a non-blocking pipe fails with EAGAIN). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
