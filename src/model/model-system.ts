// ModelSystem: the MountSystem interface (src/core/system.ts) answered by the model: one booted
// kernel state with any number of user and mount namespaces, and the processes that hold them.
// Each process is a ModelNamespace acting as that process.
import { InvalidArgumentError } from '../core/errors.js';
import type { MountProcess, MountShell, MountSystem, NsenterOptions, UnshareOptions } from '../core/system.js';
import { lookupPath } from './namei.js';
import { exitTask, setnsTask, unshareTask } from './nsproxy.js';
import { ModelNamespace, failure, type ModelNamespaceOptions } from './model-namespace.js';
import type { KernelState } from './kernel-state.js';

export class ModelSystem implements MountSystem {
  readonly backend = 'model';
  readonly init: ModelNamespace;

  /** A freshly booted model (`options` as ModelNamespace takes them), its first process `init`. */
  constructor(options: ModelNamespaceOptions = {}) {
    this.init = new ModelNamespace(options);
  }

  /** The model's whole state, for assertInvariants() and tests. */
  get kernel(): KernelState {
    return this.init.state.mntNs.kernel;
  }

  unshare(parent: MountShell, cwd: string, options: UnshareOptions = {}): ModelNamespace {
    const task = this.#own(parent).state;
    const dir = lookupPath(task, cwd, failure('chdir', cwd));
    const which = { mount: options.mount ?? true, user: options.user ?? false };
    if (!which.mount && !which.user) throw new InvalidArgumentError('ERR_INVALID_ARG_VALUE', 'unshare: a new mount namespace, a new user namespace, or both');
    return new ModelNamespace({}, unshareTask(task, dir, which, options.propagation ?? 'private'));
  }

  nsenter(parent: MountShell, target: MountProcess, options: NsenterOptions): ModelNamespace {
    if (!options.mount && !options.user) throw new InvalidArgumentError('ERR_INVALID_ARG_VALUE', 'nsenter: enter the mount namespace, the user namespace, or both');
    const task = setnsTask(this.#own(parent).state, this.#own(target).state, options, failure('setns', `/proc/${target.pid}/ns`));
    return new ModelNamespace({}, task);
  }

  kill(process: MountProcess): void {
    const task = this.#own(process).state;
    if (task === this.init.state) throw new InvalidArgumentError('ERR_INVALID_ARG_VALUE', 'the first process of the model cannot be killed');
    if (task.alive) exitTask(task);
  }

  close(): void {}

  /** `process` as one of this model's processes (a TypeError for a process of another system). */
  #own(process: MountProcess): ModelNamespace {
    if (!(process instanceof ModelNamespace) || process.state.mntNs.kernel !== this.kernel) {
      throw new InvalidArgumentError('ERR_INVALID_ARG_VALUE', `process ${process.pid} is not a process of this model`);
    }
    return process;
  }
}
