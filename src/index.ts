// mount-set-group's public API.
export { setGroup, type SetGroupMethod, type SetGroupOptions } from './set-group/set-group.js';
export { probe, type ProbeResult, type SetGroupForm } from './set-group/probe.js';
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
} from './core/errors.js';
export { MOUNT_FLAGS, type Backend, type MountFlag, type MountHandle, type MountNamespace, type MountRef, type NewMountOptions, type Propagation } from './core/namespace.js';
export { KernelNamespace, type KernelNamespaceOptions } from './kernel/namespace.js';
export { open, kernelUnusable, type OpenOptions } from './open.js';
export { mayMount } from './process/capabilities.js';
export { ModelNamespace, ModelSystem, assertInvariants, type ModelNamespaceOptions } from './model/index.js';
export type { MountProcess, MountShell, MountSystem, NsenterOptions, UnshareOptions, UnsharePropagation } from './core/system.js';
export {
  attach,
  detach,
  probeForeignPropagation,
  type AttachMode,
  type AttachOptions,
  type AttachResult,
  type DetachOptions,
  type DetachResult,
  type ForeignPropagationProbe,
  type PropagationRoute,
  type Via,
} from './attach/index.js';
export { attachOn, detachOn, type SystemAttachOptions } from './attach/system.js';
export { dump, dumpSet, type DumpedProcess, type LookAtPoint } from './restore/dump.js';
export { planRestoreSet, type SetPlan, type SetPlanOptions, type SetStep } from './restore/plan-set.js';
export { restoreSet, prepareRestoreSet, compareTopologySets, type RestoreSetOptions, type RestoreSetResult, type RestoredNamespace } from './restore/restore-set.js';
export { statInProcess, type PointStat } from './process/point-stat.js';
export { externalsIn, tiesIn } from './restore/externals.js';
export { planRestore, type Plan, type PlanOptions, type PlanStep, type External, type Tie, type LiveFacts } from './restore/plan.js';
export { applyPlan, formatStep, PlanApplication, RestoreStepError } from './restore/apply.js';
export { restore, prepareRestore, compareTopologies, RestoreMismatchError, RestoreRefusedError, type RestoreOptions, type RestoreResult } from './restore/restore.js';
export { examinePlaces, type PlaceDecision, type Places } from './restore/places.js';
export { loadTopology, loadTopologySet, TopologyError, type NamespaceTopology, type Topology, type TopologyMount, type TopologySet } from './restore/topology.js';
export { namespaceIdsOf } from './process/namespaces.js';
export * from './mountinfo/index.js';
export { readMountinfo } from './process/read-mountinfo.js';
export { parseScenario, runScenario, formatFailure, ScenarioRun, type Line, type LineFailure, type NamedNamespace, type RunOptions, type ScenarioResult, type Step } from './scenario/index.js';
