// Runs a scenario on any MountNamespace. A failing line does not stop the run: it is recorded as
// `line N: CODE: message`, as a shell script without `set -e` would go on.
import { posix } from 'node:path';
import { MountError } from '../core/errors.js';
import { parse } from '../mountinfo/parse.js';
import type { MountFlag, MountNamespace } from '../core/namespace.js';
import { applyFlagChanges, splitMountOptions } from './options.js';
import { parseScenario, type Line, type Step } from './parse.js';

export interface LineFailure {
  line: number;
  text: string;
  /** The errno name of a refused operation, or ERR_SCENARIO_SYNTAX / ERR_SCENARIO_PATH. */
  code: string;
  message: string;
  /** The broken rule, when the backend could name it. */
  reason?: string;
}

export interface ScenarioResult {
  /** Lines that were operations (not comments or blanks). */
  steps: number;
  failures: LineFailure[];
  /** The directory relative paths resolved against when the run ended. */
  cwd: string;
}

export interface RunOptions {
  /** Directory relative paths start from (default: the namespace's cwd()). */
  cwd?: string;
  /** When set, a path that resolves outside this directory is refused (ERR_SCENARIO_PATH). */
  confineTo?: string;
  /** Called after every line that ran, with its failure if it failed. */
  afterLine?: (line: number, failure: LineFailure | undefined) => void;
}

class PathOutside extends Error {}

/** One failure as the run reports it: `line N: CODE: message[ (reason)]`. */
export function formatFailure(failure: LineFailure): string {
  return `line ${failure.line}: ${failure.message}`;
}

function describe(error: unknown): { code: string; message: string; reason?: string } {
  if (error instanceof MountError) {
    if (error.reason === undefined) return { code: error.code, message: error.message };
    return { code: error.code, message: `${error.message} (${error.reason})`, reason: error.reason };
  }
  if (error instanceof PathOutside) return { code: 'ERR_SCENARIO_PATH', message: `ERR_SCENARIO_PATH: ${error.message}` };
  throw error;
}

/**
 * The flags mount(8) starts a bind remount of `dir` from: those of the last mountinfo line at `dir`
 * (libmount's mnt_table_find_target(), which may be a mount tucked under the one the kernel
 * changes), its per-mount and superblock options read together, read-only if either is
 * (merge_optstr()); none when no line is at `dir`.
 */
function flagsInMountinfo(ns: MountNamespace, dir: string): MountFlag[] {
  const entry = parse(ns.mountinfo()).findLast((e) => e.mountPoint === dir);
  if (entry === undefined) return [];
  const { changes } = splitMountOptions(`${entry.mountOptions},${entry.superOptions}`);
  const readOnly = changes.some((change) => change.flag === 'ro' && change.set);
  return applyFlagChanges([], [...changes.filter((change) => change.flag !== 'ro'), { flag: 'ro', set: readOnly }]);
}

function apply(ns: MountNamespace, step: Step, resolve: (path: string) => string): string | undefined {
  switch (step.op) {
    case 'mkdir':
      for (const path of step.paths) ns.mkdir(resolve(path), { recursive: step.parents });
      return undefined;
    case 'touch':
      for (const path of step.paths) ns.createFile(resolve(path));
      return undefined;
    case 'cd':
      return resolve(step.path);
    case 'mount':
      ns.mount(step.fsType, step.source, resolve(step.target), step.data === undefined ? { flags: step.flags } : { flags: step.flags, data: step.data });
      return undefined;
    case 'remount': {
      const target = resolve(step.target);
      ns.remountBind(target, applyFlagChanges(step.merge ? flagsInMountinfo(ns, target) : [], step.changes));
      return undefined;
    }
    case 'bind':
      ns.bind(resolve(step.source), resolve(step.target), { recursive: step.recursive });
      return undefined;
    case 'move':
      ns.move(resolve(step.source), resolve(step.target));
      return undefined;
    case 'umount':
      ns.umount(resolve(step.target), { lazy: step.lazy });
      return undefined;
    case 'propagation':
      ns.changePropagation(resolve(step.target), step.type, { recursive: step.recursive });
      return undefined;
    case 'setGroup':
      ns.setGroup(resolve(step.source), resolve(step.target));
      return undefined;
  }
}

/** Runs `script` (text or parsed lines) on `ns`, line by line. */
export function runScenario(ns: MountNamespace, script: string | Line[], options: RunOptions = {}): ScenarioResult {
  const lines = typeof script === 'string' ? parseScenario(script) : script;
  let cwd = options.cwd ?? ns.cwd();
  const resolve = (path: string): string => {
    const absolute = posix.resolve(cwd, path);
    const root = options.confineTo;
    if (root !== undefined && absolute !== root && !absolute.startsWith(root === '/' ? '/' : `${root}/`)) {
      throw new PathOutside(`'${path}' resolves to '${absolute}', outside the scenario's directory '${root}'`);
    }
    return absolute;
  };
  const failures: LineFailure[] = [];
  const runLine = (line: Line): LineFailure | undefined => {
    if ('syntaxError' in line) {
      return { line: line.line, text: line.text, code: 'ERR_SCENARIO_SYNTAX', message: `ERR_SCENARIO_SYNTAX: ${line.syntaxError}` };
    }
    try {
      cwd = apply(ns, line.step, resolve) ?? cwd;
      return undefined;
    } catch (error) {
      return { line: line.line, text: line.text, ...describe(error) };
    }
  };
  for (const line of lines) {
    const failure = runLine(line);
    if (failure) failures.push(failure);
    options.afterLine?.(line.line, failure);
  }
  return { steps: lines.length, failures, cwd };
}
