// The VM runner's public surface: run a command under a custom kernel, build the patched kernel.
export { runInVm, projectRoot, type VmOptions, type VmResult } from './run.js';
export { type Accel } from './qemu.js';
export { type AccelChoice } from './accel.js';
export { buildKernel, type BuildOptions, type BuildResult } from './kernel-build.js';
export { defaultKernel, kernelCacheRoot } from './kernel-cache.js';
export { KernelBuildError, VmError, VmTimeoutError } from './errors.js';
