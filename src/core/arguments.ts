// The argument checks of every MountNamespace operation, made before anything happens, with Node's
// error codes — one set for both backends, so the model refuses exactly what the kernel backend does.
import { MOUNT_FLAGS, type MountFlag, type MountHandle, type MountRef, type NewMountOptions, type Propagation } from './namespace.js';
import { InvalidArgumentError } from './errors.js';
import { describeReceived, validateFd, validateOneOf, validateOptions, validatePath, validateString } from './validate.js';

const propagations: readonly Propagation[] = ['shared', 'slave', 'private', 'unbindable'];

/** A path, or a pinned mount (a handle holding a file-descriptor-like number). */
function validateMountRef(value: unknown, name: string): asserts value is MountRef {
  if (typeof value === 'object' && value !== null && 'handle' in value) validateFd(value.handle, `${name}.handle`);
  else validatePath(value, name);
}

/** A held place: an object whose `handle` is a file-descriptor-like number. */
function validateHandle(value: unknown, name: string): asserts value is MountHandle {
  validateFd((value as { handle?: unknown } | null)?.handle, `${name}.handle`);
}

/** One component of a path: a name that resolves nothing on its way ('a', not 'a/b', '.' or '..'). */
function validateName(value: unknown, name: string): asserts value is string {
  validatePath(value, name);
  if (value.includes('/') || value === '.' || value === '..') {
    throw new InvalidArgumentError('ERR_INVALID_ARG_VALUE', `The argument '${name}' must be one path component (no '/', not '.' or '..'). Received ${JSON.stringify(value)}`);
  }
}

/** A list of per-mount flags: an array of MountFlag names. */
function validateMountFlags(value: unknown, name: string): asserts value is readonly MountFlag[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be an array of mount flags. ${describeReceived(value)}`);
  }
  value.forEach((flag, i) => validateOneOf(flag, `${name}[${i}]`, MOUNT_FLAGS));
}

/** The source and target paths of a two-path operation. */
function validatePair(source: unknown, target: unknown): void {
  validatePath(source, 'source');
  validatePath(target, 'target');
}

/** A directory held by a handle, and one name in it: where the *At calls act. */
function validateEntryAt(dir: unknown, name: unknown): void {
  validateHandle(dir, 'dir');
  validateName(name, 'name');
}

export const checkArguments = {
  mkdir(path: unknown, options: unknown): void {
    validatePath(path, 'path');
    validateOptions(options, 'options', ['recursive']);
  },
  createFile(path: unknown): void {
    validatePath(path, 'path');
  },
  mount(fsType: unknown, source: unknown, target: unknown, options: unknown): void {
    validatePath(fsType, 'fsType');
    validateString(source, 'source');
    validatePath(target, 'target');
    validateOptions(options, 'options', ['data', 'flags']);
    const { data, flags } = (options ?? {}) as NewMountOptions;
    if (data !== undefined) validateString(data, 'options.data');
    if (flags !== undefined) validateMountFlags(flags, 'options.flags');
  },
  bind(source: unknown, target: unknown, options: unknown): void {
    validatePair(source, target);
    validateOptions(options, 'options', ['recursive']);
  },
  move(source: unknown, target: unknown): void {
    validatePair(source, target);
  },
  umount(target: unknown, options: unknown): void {
    validateMountRef(target, 'target');
    validateOptions(options, 'options', ['lazy']);
  },
  remountBind(target: unknown, flags: unknown): void {
    validateMountRef(target, 'target');
    validateMountFlags(flags, 'flags');
  },
  changePropagation(target: unknown, type: unknown, options: unknown): void {
    validateMountRef(target, 'target');
    validateOneOf(type, 'type', propagations);
    validateOptions(options, 'options', ['recursive']);
  },
  setGroup(source: unknown, target: unknown): void {
    validateMountRef(source, 'source');
    validateMountRef(target, 'target');
  },
  pin(path: unknown): void {
    validatePath(path, 'path');
  },
  unpin(handle: unknown): void {
    validateHandle(handle, 'handle');
  },
  openBeneath(dir: unknown, path: unknown): void {
    validateHandle(dir, 'dir');
    validatePath(path, 'path');
  },
  mkdirAt: validateEntryAt,
  createFileAt: validateEntryAt,
  rmdirAt: validateEntryAt,
  mountAt(fsType: unknown, source: unknown, target: unknown, options: unknown): void {
    validateHandle(target, 'target');
    checkArguments.mount(fsType, source, '.', options);
  },
  bindAt(source: unknown, target: unknown): void {
    validateMountRef(source, 'source');
    validateHandle(target, 'target');
  },
  cloneDetached(source: unknown): void {
    validateMountRef(source, 'source');
  },
  attachAt(detached: unknown, target: unknown): void {
    validateMountRef(detached, 'detached');
    validateHandle(target, 'target');
  },
};
