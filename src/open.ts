// open(): a MountNamespace on the backend asked for. 'auto' takes the kernel only where the addon
// loads and this process may mount (CAP_SYS_ADMIN), else the model — and the result's `backend`
// says which. Nothing ever stands in for the kernel when the kernel was asked for.
import { KernelNamespace, type KernelNamespaceOptions } from './kernel/namespace.js';
import { ModelNamespace, type ModelNamespaceOptions } from './model/index.js';
import type { MountNamespace } from './core/namespace.js';
import { addon, addonUnavailable } from './native/addon.js';
import { mayMount } from './process/capabilities.js';
import { validateOneOf, validateOptions } from './core/validate.js';

export interface OpenOptions {
  /** 'auto' (default): the kernel where it can be used, else the model; 'kernel' throws where it cannot. */
  backend?: 'auto' | 'kernel' | 'model';
  kernel?: KernelNamespaceOptions;
  model?: ModelNamespaceOptions;
}

/** Why the kernel backend cannot be used here, or undefined when it can. */
export function kernelUnusable(): string | undefined {
  if (process.platform !== 'linux') return `mount namespaces exist only on Linux (this is ${process.platform})`;
  const missing = addonUnavailable();
  if (missing) return missing.message;
  if (!mayMount()) return 'this process lacks CAP_SYS_ADMIN, which every mount call needs';
  return undefined;
}

/**
 * A mount namespace to work on: the calling process's own (kernel), or a fresh model. Kernel calls
 * change the namespace this process runs in — start it in one of its own when that is not the point.
 */
export function open(options: OpenOptions = {}): MountNamespace {
  validateOptions(options, 'options', ['backend', 'kernel', 'model']);
  const backend = options.backend ?? 'auto';
  validateOneOf(backend, 'options.backend', ['auto', 'kernel', 'model']);
  if (backend === 'model' || (backend === 'auto' && kernelUnusable() !== undefined)) return new ModelNamespace(options.model);
  if (backend === 'kernel') addon(); // throws AddonUnavailableError saying why and how to get it
  return new KernelNamespace(options.kernel);
}
