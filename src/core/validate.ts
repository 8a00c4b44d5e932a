// Argument checks made before any system call, with Node's error codes and message shapes.
// What passes here is well-formed; whether it names something that exists is the kernel's call.
import { InvalidArgumentError } from './errors.js';
import { isNormalAbsolute, type PathOrFd } from './place.js';

const FD_MAX = 2 ** 31 - 1;

/** Node's `Received ...` tail of an argument error. */
export function describeReceived(value: unknown): string {
  if (value === null) return 'Received null';
  if (value === undefined) return 'Received undefined';
  if (typeof value === 'function') return `Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') return `Received an instance of ${value.constructor?.name ?? 'Object'}`;
  const shown = typeof value === 'string' ? `'${value.length > 28 ? `${value.slice(0, 25)}...` : value}'` : String(value);
  return `Received type ${typeof value} (${shown})`;
}

function invalidValue(name: string, value: unknown, must: string): InvalidArgumentError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new InvalidArgumentError('ERR_INVALID_ARG_VALUE', `The argument '${name}' ${must}. Received ${shown}`);
}

/** A string without NUL bytes (C would silently cut it at the first one); it may be empty, as a mount source may. */
export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type string. ${describeReceived(value)}`);
  }
  if (value.includes('\0')) throw invalidValue(name, value, 'must be a string without null bytes');
}

/** A path: a non-empty string without NUL bytes. */
export function validatePath(value: unknown, name: string): asserts value is string {
  validateString(value, name);
  if (value.length === 0) throw invalidValue(name, value, 'must be a non-empty path');
}

/** An absolute, normalized path ('/a/b': no '.', '..', empty components or trailing '/'), as the restore API takes its places. */
export function validateAbsolutePath(value: unknown, name: string): asserts value is string {
  validatePath(value, name);
  if (!isNormalAbsolute(value)) throw invalidValue(name, value, "must be an absolute path without '.', '..' or empty components");
}

/** A file descriptor: an integer from 0 to 2^31-1 (whether it is open is the kernel's EBADF). */
export function validateFd(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') {
    throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type number. ${describeReceived(value)}`);
  }
  if (!Number.isInteger(value) || value < 0 || value > FD_MAX) {
    throw invalidValue(name, value, `must be a file descriptor (an integer from 0 to ${FD_MAX})`);
  }
}

/** A path or a file descriptor, as the set-group calls take. */
export function validatePathOrFd(value: unknown, name: string): asserts value is PathOrFd {
  if (typeof value === 'number') return validateFd(value, name);
  if (typeof value === 'string') return validatePath(value, name);
  throw new InvalidArgumentError(
    'ERR_INVALID_ARG_TYPE',
    `The "${name}" argument must be of type string (a path) or number (a file descriptor). ${describeReceived(value)}`,
  );
}

/** An AbortSignal, or undefined. */
export function validateAbortSignal(value: unknown, name: string): asserts value is AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return;
  throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "${name}" property must be an instance of AbortSignal. ${describeReceived(value)}`);
}

/** PID_MAX_LIMIT on 64-bit kernels: no pid is larger. */
const PID_MAX = 4_194_304;

/** A process id: an integer from 1 to PID_MAX. */
export function validatePid(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') {
    throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type number. ${describeReceived(value)}`);
  }
  if (!Number.isInteger(value) || value < 1 || value > PID_MAX) throw invalidValue(name, value, `must be a process id (an integer from 1 to ${PID_MAX})`);
}

/** One of a fixed set of string values. */
export function validateOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidValue(name, value, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}

/** An options object (or undefined) that holds no key outside `known`: a typo is an error, not a default. */
export function validateOptions(value: unknown, name: string, known: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type object. ${describeReceived(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw invalidValue(name, key, `has an unknown option '${key}' (known: ${known.join(', ')})`);
  }
}
