// open(): a MountNamespace on the backend asked for. The default is the kernel, and where it cannot
// be used open() throws saying why: a privileged script run without root must fail, not quietly
// change nothing real. The model is handed out only when asked for — by name, or with 'auto', which
// takes the kernel where it can be used and the model otherwise, and whose result's `backend` says which.
import { KernelNamespace, type KernelNamespaceOptions } from './kernel/namespace.js';
import { ModelNamespace, type ModelNamespaceOptions } from './model/index.js';
import type { MountNamespace } from './core/namespace.js';
import { mountError } from './core/errors.js';
import { addonUnavailable } from './native/addon.js';
import { mayMount } from './process/capabilities.js';
import { setGroupRule } from './core/set-group-rules.js';
import { validateOneOf, validateOptions } from './core/validate.js';

export interface OpenOptions {
  /** 'kernel' (default): the calling process's own namespace, or an error saying why it cannot be used; 'model': a fresh model; 'auto': the kernel where it can be used, else the model. */
  backend?: 'kernel' | 'model' | 'auto';
  kernel?: KernelNamespaceOptions;
  model?: ModelNamespaceOptions;
}

/** Why the kernel backend cannot be used here, as the error open() throws; undefined when it can. */
function kernelRefusal(): Error | undefined {
  if (process.platform !== 'linux') return new Error(`mount namespaces exist only on Linux (this is ${process.platform})`);
  const missing = addonUnavailable();
  if (missing) return missing;
  if (!mayMount()) return mountError('EPERM', { syscall: 'open', reason: `${setGroupRule.callerMayNotMount()} (or open({ backend: 'model' }) to work on the model)` });
  return undefined;
}

/** Why the kernel backend cannot be used here, or undefined when it can. */
export function kernelUnusable(): string | undefined {
  const refusal = kernelRefusal();
  if (refusal === undefined) return undefined;
  return refusal.message + ('reason' in refusal && refusal.reason ? `: ${refusal.reason}` : '');
}

/**
 * A mount namespace to work on: the calling process's own (kernel), or a fresh model. Kernel calls
 * change the namespace this process runs in — start it in one of its own when that is not the point.
 */
export function open(options: OpenOptions = {}): MountNamespace {
  validateOptions(options, 'options', ['backend', 'kernel', 'model']);
  const backend = options.backend ?? 'kernel';
  validateOneOf(backend, 'options.backend', ['kernel', 'model', 'auto']);
  if (backend === 'model') return new ModelNamespace(options.model);
  const refusal = kernelRefusal();
  if (refusal === undefined) return new KernelNamespace(options.kernel);
  if (backend === 'auto') return new ModelNamespace(options.model);
  throw refusal;
}
