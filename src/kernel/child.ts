// Runs one of this package's modules in a child process inside a new, private mount namespace
// (`unshare -m --propagation private`), so that nothing it mounts can reach the caller's namespace.
// Mount namespaces are per thread and Node is threaded: this is the only safe way for a Node
// program to get a namespace of its own.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
function nodeArguments(module: URL, args: readonly string[]): string[] {
  const path = fileURLToPath(module);
  const loader = path.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  return [...loader, path, ...args];
}

/** The command line that runs `module` with `args` in a new private mount namespace. */
export function privateNamespaceCommand(module: URL, args: readonly string[] = []): [string, string[]] {
  return ['unshare', ['-m', '--propagation', 'private', '--', process.execPath, ...nodeArguments(module, args)]];
}

/** Runs `module` in a private mount namespace and waits for it. */
export function runPrivateSync(module: URL, args: readonly string[] = [], options: PrivateChildOptions = {}): SpawnSyncReturns<string> {
  const [command, commandArgs] = privateNamespaceCommand(module, args);
  return spawnSync(command, commandArgs, {
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: options.timeout,
    env: options.env ?? process.env,
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** Starts `module` in a private mount namespace, with pipes for stdin, stdout and stderr. */
export function spawnPrivate(module: URL, args: readonly string[] = [], options: Pick<PrivateChildOptions, 'env'> = {}): ChildProcess {
  const [command, commandArgs] = privateNamespaceCommand(module, args);
  return spawn(command, commandArgs, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
}

/** Why this process cannot start private mount namespaces, or undefined when it can. */
export function privateNamespaceUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `mount namespaces exist only on Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (CAP_SYS_ADMIN) to create a mount namespace';
  const trial = spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (trial.error) return `cannot run unshare(1): ${trial.error.message} (install util-linux)`;
  if (trial.status !== 0) return `unshare -m fails here: ${trial.stderr.trim()}`;
  return undefined;
}
