// Runs scenarios on the real kernel from any process, through the kernel worker (worker.ts) in a
// child with its own private mount namespace: the caller's namespace is never touched.
import { createInterface } from 'node:readline';
import { runPrivateSync, siblingModule, spawnPrivate } from '../process/child.js';
import type { WorkerRequest, WorkerResponse } from './worker.js';

export type { NamespaceMountinfo, WorkerRequest, WorkerResponse } from './worker.js';

const workerModule = siblingModule(import.meta.url, 'worker');

/** A worker that failed as a whole (not a scenario line). */
export class KernelWorkerError extends Error {
  override name = 'KernelWorkerError';
}

function checked(response: WorkerResponse): WorkerResponse {
  if (response.error) throw new KernelWorkerError(`kernel worker: ${response.error}`);
  return response;
}

/** Runs each request in turn in one fresh child and returns the responses. */
export function runOnKernel(requests: WorkerRequest[], options: { timeout?: number } = {}): WorkerResponse[] {
  const input = requests.map((request) => JSON.stringify(request)).join('\n');
  const child = runPrivateSync(workerModule, [], { input: `${input}\n`, timeout: options.timeout ?? 120_000 });
  if (child.error) throw new KernelWorkerError(`kernel worker did not run: ${child.error.message}`);
  if (child.status !== 0) throw new KernelWorkerError(`kernel worker exited with ${child.status}: ${child.stderr.trim()}`);
  const lines = child.stdout.trim().split('\n');
  if (lines.length !== requests.length) {
    throw new KernelWorkerError(`kernel worker answered ${lines.length} of ${requests.length} requests: ${child.stderr.trim()}`);
  }
  return lines.map((line) => checked(JSON.parse(line) as WorkerResponse));
}

/** A long-lived worker for many scenarios, one at a time. */
export class KernelWorker {
  readonly #child = spawnPrivate(workerModule);
  readonly #pending: ((line: string) => void)[] = [];
  #stderr = '';

  constructor() {
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => this.#pending.shift()?.(line));
  }

  /** Runs one scenario and resolves with its response. */
  run(request: WorkerRequest): Promise<WorkerResponse> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new KernelWorkerError(`kernel worker exited (${code}): ${this.#stderr.trim()}`));
      this.#child.once('exit', onExit);
      this.#pending.push((line) => {
        this.#child.off('exit', onExit);
        try {
          resolve(checked(JSON.parse(line) as WorkerResponse));
        } catch (error) {
          reject(error);
        }
      });
      this.#child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Ends the worker (its namespace, and every mount in it, goes with it). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#child.exitCode !== null) return resolve();
      this.#child.once('exit', () => resolve());
      this.#child.stdin!.end();
    });
  }
}
