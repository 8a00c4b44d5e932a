// The errors every layer shares (the command line's own are in src/cli/errors.ts, the mountinfo parser's in
// src/mountinfo/errors.ts).
//
// - MountError and its subclasses: an operation the system refused (the kernel, or the model acting
//   as the kernel). Shaped like Node's fs errors: `code`, negative `errno`, `syscall`, `path`, `dest`,
//   and the message `EINVAL: invalid argument, move_mount '/a' -> '/b'`. `reason`, when set, names
//   the rule that was broken in words a person can act on.
// - InvalidArgumentError: a caller passed something no syscall should see (Node's ERR_INVALID_ARG_*).
// - InvariantError: an internal bug; a model invariant broke.
import { errnoDescription, errnoName, errnoNumber } from './errno.js';

export interface MountErrorFields {
  /** The system call, or the command the model stands in for: `move_mount`, `mount`, `umount2`... */
  syscall: string;
  /** The first path (or fd) operated on: the source of a set-group, bind or move; the target otherwise. */
  path?: string | number;
  /** The second path of a two-path operation. */
  dest?: string | number;
  /** The rule that was broken, when it can be named. */
  reason?: string;
  cause?: unknown;
}

/** An operation the kernel (or the model standing in for it) refused. */
export class MountError extends Error {
  override name = 'MountError';
  /** Errno name, as in Node: 'EINVAL'. */
  readonly code: string;
  /** Negative errno, as in Node: -22. */
  readonly errno: number;
  readonly syscall: string;
  readonly path?: string | number;
  readonly dest?: string | number;
  readonly reason?: string;

  constructor(code: string, fields: MountErrorFields) {
    super(nodeStyleMessage(code, fields), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = code;
    this.errno = -knownErrno(code);
    this.syscall = fields.syscall;
    if (fields.path !== undefined) this.path = fields.path;
    if (fields.dest !== undefined) this.dest = fields.dest;
    if (fields.reason !== undefined) this.reason = fields.reason;
  }
}

/** EPERM: the caller lacks CAP_SYS_ADMIN over a namespace the operation touches. */
export class MountPermissionError extends MountError {
  override name = 'MountPermissionError';
}

/** EINVAL: the operation breaks one of the kernel's rules; `reason` names it when it can. */
export class MountInvalidArgumentError extends MountError {
  override name = 'MountInvalidArgumentError';
}

/** ENOENT: a path does not exist. */
export class MountNotFoundError extends MountError {
  override name = 'MountNotFoundError';
}

/** ENOSYS: the running kernel offers no form of set-group that was asked for. */
export class SetGroupUnsupportedError extends MountError {
  override name = 'SetGroupUnsupportedError';
}

const subclassByCode: Record<string, typeof MountError> = {
  EPERM: MountPermissionError,
  EINVAL: MountInvalidArgumentError,
  ENOENT: MountNotFoundError,
  ENOSYS: SetGroupUnsupportedError,
};

/** The error for a refused operation, of the subclass its code calls for. */
export function mountError(code: string, fields: MountErrorFields): MountError {
  const ErrorClass = subclassByCode[code] ?? MountError;
  return new ErrorClass(code, fields);
}

/** The error for a failed syscall that returned -errno. */
export function syscallError(errno: number, fields: MountErrorFields): MountError {
  return mountError(errnoName(errno), fields);
}

/** The number of an errno name this package raises or the kernel returned. */
function knownErrno(code: string): number {
  const errno = errnoNumber(code);
  if (errno === undefined) throw new InvariantError(`unknown errno name ${code}`);
  return errno;
}

function quote(value: string | number): string {
  return typeof value === 'number' ? `fd ${value}` : `'${value}'`;
}

function nodeStyleMessage(code: string, { syscall, path, dest }: MountErrorFields): string {
  let message = `${code}: ${errnoDescription(code)}, ${syscall}`;
  if (path !== undefined) message += ` ${quote(path)}`;
  if (dest !== undefined) message += ` -> ${quote(dest)}`;
  return message;
}

/** A caller's argument that no syscall should see: Node's ERR_INVALID_ARG_TYPE / ERR_INVALID_ARG_VALUE. */
export class InvalidArgumentError extends TypeError {
  override name = 'TypeError';
  readonly code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE';

  constructor(code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE', message: string) {
    super(message);
    this.code = code;
  }
}

/** An internal bug: something the code relies on turned out false. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}
