// The pure-TypeScript model of Linux mount propagation: the oracle and fallback backend.
// Nothing here imports node:* (see README.md for what it covers and what it does not).
export { ModelNamespace, DEFAULT_FILESYSTEMS, type ModelNamespaceOptions } from './model-namespace.js';
export { ModelSystem } from './model-system.js';
export { assertInvariants } from './invariants.js';
export { DEFAULT_MOUNT_MAX } from './kernel-state.js';
export type { KernelVersion } from './types.js';
