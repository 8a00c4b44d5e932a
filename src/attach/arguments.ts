// Argument checks for attach() and detach(), made before any system call, with Node's codes. Paths,
// option objects and choices use src/core/validate.ts; only what it lacks (a pid, an absolute path in
// another namespace, a required options object) is here.
import { InvalidArgumentError } from '../core/errors.js';
import { describeReceived, validateOneOf, validateOptions, validatePath, validatePid } from '../core/validate.js';

export type AttachMode = 'slave' | 'shared';
/** Where a propagation change runs: in the calling process, or in a helper inside the container's namespace. */
export type PropagationRoute = 'caller' | 'nsenter';
/** 'auto': the caller where the kernel allows it (probed), else nsenter. */
export type Via = 'auto' | PropagationRoute;

export interface AttachOptions {
  /** A process in the container: its mount namespace holds the volume. */
  pid: number;
  /** The root of a shared mount in the caller's mount namespace. */
  source: string;
  /** The volume: an absolute path, inside process `pid`'s mount namespace, that is the root of a mount there. */
  target: string;
  /** 'slave' (default): the caller's namespace -> container only; 'shared': both ways. */
  mode?: AttachMode;
  /** Where the volume's propagation change runs (default 'auto'). */
  via?: Via;
}

export interface DetachOptions {
  pid: number;
  target: string;
  via?: Via;
}

const modes: readonly AttachMode[] = ['slave', 'shared'];
const vias: readonly Via[] = ['auto', 'caller', 'nsenter'];

/** A path inside another process's namespace: there is no cwd to resolve it against, so it must be absolute. */
function validateAbsolutePath(value: unknown, name: string): asserts value is string {
  validatePath(value, name);
  if (!value.startsWith('/')) {
    throw new InvalidArgumentError('ERR_INVALID_ARG_VALUE', `The argument '${name}' must be an absolute path (inside the process's mount namespace). Received ${JSON.stringify(value)}`);
  }
}

/** The options object is the only argument: it must be there, and hold no unknown key. */
function validateRequiredOptions(value: unknown, known: readonly string[]): void {
  if (value === undefined) throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "options" argument must be of type object. ${describeReceived(value)}`);
  validateOptions(value, 'options', known);
}

/** attach()'s options, with defaults filled in. */
export function validateAttachOptions(options: unknown): Required<AttachOptions> {
  validateRequiredOptions(options, ['pid', 'source', 'target', 'mode', 'via']);
  const { pid, source, target, mode = 'slave', via = 'auto' } = options as Partial<AttachOptions>;
  validatePid(pid, 'options.pid');
  validatePath(source, 'options.source');
  validateAbsolutePath(target, 'options.target');
  validateOneOf(mode, 'options.mode', modes);
  validateOneOf(via, 'options.via', vias);
  return { pid, source, target, mode, via };
}

/** detach()'s options, with defaults filled in. */
export function validateDetachOptions(options: unknown): Required<DetachOptions> {
  validateRequiredOptions(options, ['pid', 'target', 'via']);
  const { pid, target, via = 'auto' } = options as Partial<DetachOptions>;
  validatePid(pid, 'options.pid');
  validateAbsolutePath(target, 'options.target');
  validateOneOf(via, 'options.via', vias);
  return { pid, target, via };
}
