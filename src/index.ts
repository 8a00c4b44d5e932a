// mount-set-group's public API.
export { setGroup, type SetGroupMethod, type SetGroupOptions } from './set-group.js';
export { probe, type ProbeResult, type SetGroupForm } from './native/probe.js';
export { AddonUnavailableError } from './native/addon.js';
export {
  MountError,
  MountInvalidArgumentError,
  MountNotFoundError,
  MountPermissionError,
  SetGroupUnsupportedError,
  InvalidArgumentError,
  InvariantError,
  type MountErrorFields,
} from './errors.js';
export type { Backend, MountNamespace, NewMountOptions, Propagation } from './namespace.js';
export { KernelNamespace, type KernelNamespaceOptions } from './kernel/namespace.js';
export * from './mountinfo/index.js';
export { readMountinfo } from './mountinfo/read.js';
export { parseScenario, runScenario, formatFailure, type Line, type LineFailure, type RunOptions, type ScenarioResult, type Step } from './scenario/index.js';
