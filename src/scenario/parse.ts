// The scenario language: the mount commands a person already types, one per line.
//
//   mkdir [-p] DIR...                     cd DIR
//   touch FILE...                         (an empty file, where none is: a file mount goes on it)
//   mount -t TYPE [-o OPTS] SOURCE DIR    umount [-l] DIR
//   mount --bind|--rbind SRC DST          mount --move SRC DST
//   mount -o remount,bind[,FLAGS] [SOURCE] DIR
//   mount --make-[r]shared|slave|private|unbindable DIR
//   mount --set-group SRC DST             # comment
//
// -o splits as mount(8) splits it (options.ts): per-mount flags (ro, nosuid, nodev, noexec,
// noatime, nodiratime, relatime, strictatime, nosymfollow, their negations rw, suid, dev, exec,
// atime, diratime, norelatime, nostrictatime, symfollow, and defaults) go to mount(2)'s flags, the
// rest is filesystem data. A bind remount (remount and bind in any order) takes flags only; with
// DIR alone they add to the mount's own, as mount(8) reads them from mountinfo, with SOURCE DIR
// they replace them. A remount without bind (of a superblock) is not part of the language.
//
// Words are split on blanks; '...' and "..." quote literally. Anything else a shell would expand
// ($, `, \, globs, redirections, ;, &, |) is refused, not misread.
import type { MountFlag, Propagation } from '../core/namespace.js';
import { applyFlagChanges, flagChangesOf, splitMountOptions, type FlagChange } from './options.js';

export type Step =
  | { op: 'mkdir'; paths: string[]; parents: boolean }
  | { op: 'touch'; paths: string[] }
  | { op: 'cd'; path: string }
  | { op: 'mount'; fsType: string; source: string; target: string; flags: MountFlag[]; data?: string }
  /** A bind remount: `changes` applied to the mount's flags (`merge`, DIR alone) or to none (SOURCE DIR). */
  | { op: 'remount'; target: string; changes: FlagChange[]; merge: boolean }
  | { op: 'bind'; source: string; target: string; recursive: boolean }
  | { op: 'move'; source: string; target: string }
  | { op: 'umount'; target: string; lazy: boolean }
  | { op: 'propagation'; type: Propagation; recursive: boolean; target: string }
  | { op: 'setGroup'; source: string; target: string };

/** A parsed line: the step, or why the line is not one. */
export type Line = { line: number; text: string } & ({ step: Step } | { syntaxError: string });

/** Longest line accepted: a scenario line is a command, not a data file. */
export const MAX_LINE_LENGTH = 65536;

class SyntaxProblem extends Error {}

const unsupportedShell = /[$`\\*?[\]{}<>|;&~]/;

/** Splits a line into words, honouring '...' and "..." as literal quotes. */
function words(text: string): string[] {
  const result: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') {
      if (word !== undefined) result.push(word);
      word = undefined;
    } else if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) throw new SyntaxProblem(`unterminated ${ch} quote`);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (unsupportedShell.test(ch)) {
      throw new SyntaxProblem(`'${ch}' is shell syntax the scenario language does not support (quote it if it is part of a path)`);
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (word !== undefined) result.push(word);
  return result;
}

function operands(args: string[], count: number, usage: string): string[] {
  if (args.length !== count) throw new SyntaxProblem(`expected ${usage}`);
  for (const arg of args) if (arg === '') throw new SyntaxProblem('empty path');
  return args;
}

function parseMkdir(args: string[]): Step {
  const parents = args[0] === '-p';
  const paths = parents ? args.slice(1) : args;
  const flag = paths.find((p) => p.startsWith('-'));
  if (flag) throw new SyntaxProblem(`mkdir: unknown option ${flag} (only -p)`);
  if (paths.length === 0) throw new SyntaxProblem('expected mkdir [-p] DIR...');
  return { op: 'mkdir', paths: operands(paths, paths.length, 'DIR...'), parents };
}

function parseTouch(args: string[]): Step {
  const flag = args.find((p) => p.startsWith('-'));
  if (flag) throw new SyntaxProblem(`touch: unknown option ${flag} (none)`);
  if (args.length === 0) throw new SyntaxProblem('expected touch FILE...');
  return { op: 'touch', paths: operands(args, args.length, 'FILE...') };
}

const propagationFlag = /^--make-(r?)(shared|slave|private|unbindable)$/;

/** The -t and -o values of a mount line (-o more than once adds up, as in mount(8)) and its operands. */
function mountArguments(args: string[]): { fsType?: string; options?: string; rest: string[] } {
  let fsType: string | undefined;
  const options: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-t' || arg === '-o') {
      const value = args[++i];
      if (value === undefined) throw new SyntaxProblem(`mount: ${arg} needs a value`);
      if (arg === '-t') fsType = value;
      else options.push(value);
    } else if (arg.startsWith('-')) {
      throw new SyntaxProblem(`mount: unknown option ${arg}`);
    } else {
      rest.push(arg);
    }
  }
  return options.length === 0 ? { fsType, rest } : { fsType, options: options.join(','), rest };
}

/** -o words that are mount(8) commands rather than options: the language spells them otherwise. */
const commandWords = new Set(['remount', 'bind', 'rbind', 'move']);

/** `mount -t TYPE [-o OPTS] SOURCE DIR`: OPTS split into per-mount flags and filesystem data. */
function parseNewMount(fsType: string, options: string | undefined, rest: string[]): Step {
  const [source, target] = operands(rest, 2, 'mount -t TYPE [-o OPTS] SOURCE DIR') as [string, string];
  const { changes, data } = splitMountOptions(options ?? '');
  const command = data.find((word) => commandWords.has(word));
  if (command !== undefined) throw new SyntaxProblem(`mount: -o ${command} with -t: write a bind as --bind SRC DST, a bind remount as -o remount,bind DIR`);
  const step: Step = { op: 'mount', fsType, source, target, flags: applyFlagChanges([], changes) };
  return data.length === 0 ? step : { ...step, data: data.join(',') };
}

/** `mount -o remount,bind[,FLAGS] [SOURCE] DIR`: a bind remount; SOURCE (ignored by the kernel) makes FLAGS replace the mount's own. */
function parseRemount(options: string, rest: string[]): Step {
  const words = options.split(',').filter((word) => word !== '');
  if (!words.includes('remount') || !words.includes('bind')) {
    throw new SyntaxProblem('mount: -o without -t must be remount,bind[,FLAGS] (a bind remount; a remount of the superblock is not part of the language)');
  }
  const changes: FlagChange[] = [];
  for (const word of words) {
    if (word === 'remount' || word === 'bind') continue;
    const change = flagChangesOf(word);
    if (change === undefined) throw new SyntaxProblem(`mount: '${word}' is not a per-mount flag, which is all a bind remount changes`);
    changes.push(...change);
  }
  const usage = 'mount -o remount,bind[,FLAGS] [SOURCE] DIR';
  if (rest.length !== 1 && rest.length !== 2) throw new SyntaxProblem(`expected ${usage}`);
  const target = operands(rest, rest.length, usage).at(-1)!;
  return { op: 'remount', target, changes, merge: rest.length === 1 };
}

function parseMount(args: string[]): Step {
  const [flag, ...rest] = args;
  const make = flag === undefined ? null : propagationFlag.exec(flag);
  if (make) {
    const [target] = operands(rest, 1, `mount ${flag} DIR`) as [string];
    return { op: 'propagation', type: make[2] as Propagation, recursive: make[1] === 'r', target };
  }
  const pair = (usage: string) => operands(rest, 2, `mount ${usage} SRC DST`) as [string, string];
  switch (flag) {
    case '--bind':
    case '--rbind': {
      const [source, target] = pair(flag);
      return { op: 'bind', source, target, recursive: flag === '--rbind' };
    }
    case '--move': {
      const [source, target] = pair(flag);
      return { op: 'move', source, target };
    }
    case '--set-group': {
      const [source, target] = pair(flag);
      return { op: 'setGroup', source, target };
    }
    default: {
      if (!args.includes('-t') && !args.includes('-o')) {
        throw new SyntaxProblem(
          `mount: expected -t TYPE, -o remount,bind, --bind, --rbind, --move, --set-group or --make-[r]shared|slave|private|unbindable${flag ? `, not ${flag}` : ''}`,
        );
      }
      const { fsType, options, rest } = mountArguments(args);
      return fsType === undefined ? parseRemount(options!, rest) : parseNewMount(fsType, options, rest);
    }
  }
}

function parseUmount(args: string[]): Step {
  const lazy = args[0] === '-l';
  const [target] = operands(lazy ? args.slice(1) : args, 1, 'umount [-l] DIR') as [string];
  if (target.startsWith('-')) throw new SyntaxProblem(`umount: unknown option ${target} (only -l)`);
  return { op: 'umount', target, lazy };
}

function parseStep(text: string): Step | undefined {
  const [command, ...args] = words(text);
  switch (command) {
    case undefined:
      return undefined;
    case 'mkdir':
      return parseMkdir(args);
    case 'touch':
      return parseTouch(args);
    case 'cd':
      return { op: 'cd', path: operands(args, 1, 'cd DIR')[0]! };
    case 'mount':
      return parseMount(args);
    case 'umount':
      return parseUmount(args);
    default:
      throw new SyntaxProblem(`unknown command '${command}' (known: mkdir, touch, cd, mount, umount)`);
  }
}

/** Parses a scenario; a line that is not a command becomes a `syntaxError` in place. */
export function parseScenario(script: string): Line[] {
  const lines: Line[] = [];
  script.split('\n').forEach((raw, index) => {
    const text = raw.replace(/\r$/, '');
    const line = index + 1;
    if (text.length > MAX_LINE_LENGTH) {
      lines.push({ line, text: `${text.slice(0, 40)}...`, syntaxError: `line longer than ${MAX_LINE_LENGTH} characters` });
      return;
    }
    const uncommented = text.trimStart().startsWith('#') ? '' : text;
    try {
      if (uncommented.includes('\0')) throw new SyntaxProblem('NUL byte in line (binary data?)');
      const step = parseStep(uncommented);
      if (step) lines.push({ line, text, step });
    } catch (error) {
      if (!(error instanceof SyntaxProblem)) throw error;
      lines.push({ line, text, syntaxError: error.message });
    }
  });
  return lines;
}
