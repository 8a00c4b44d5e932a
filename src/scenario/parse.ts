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
// and, on a MountSystem (many namespaces), the lines of unshare(1), nsenter(1) and kill(1):
//
//   unshare [-m] [-U] [--propagation private|shared|slave|unchanged] NAME
//   nsenter -t NAME [-m] [-U]             exit
//   kill NAME
//
// `unshare` starts a process NAME (as `unshare ... sleep infinity &` would) holding a new mount
// namespace copied from the current one (-m), and/or a new user namespace in which it is root (-U,
// -r, --map-root-user); `nsenter` runs the following lines in NAME's mount and/or user namespace until
// `exit`; `kill NAME` ends NAME, and a namespace ends with its last process. The namespace a
// scenario starts in is `host`. A path /proc/NAME/cwd/PATH (PATH relative to the directory NAME
// was started in) or /proc/NAME/root/PATH names PATH in NAME's namespace, as /proc/PID/... does.
//
// A mount line may also carry --make-* flags after its command (mount --bind --make-rslave A B):
// mount(8) makes the mount, then changes the propagation of DST, one call per flag.
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
import type { UnsharePropagation } from '../core/system.js';
import { applyFlagChanges, flagChangesOf, splitMountOptions, type FlagChange } from './options.js';

/** A propagation change: what one --make-[r]TYPE flag asks for. */
export interface PropagationChange {
  type: Propagation;
  recursive: boolean;
}

/** The --make-* flags mount(8) applies to DST after the mount itself, in order (none: absent). */
type Then = { then?: PropagationChange[] };

export type Step =
  | { op: 'mkdir'; paths: string[]; parents: boolean }
  | { op: 'touch'; paths: string[] }
  | { op: 'cd'; path: string }
  | ({ op: 'mount'; fsType: string; source: string; target: string; flags: MountFlag[]; data?: string } & Then)
  /** A bind remount: `changes` applied to the mount's flags (`merge`, DIR alone) or to none (SOURCE DIR). */
  | { op: 'remount'; target: string; changes: FlagChange[]; merge: boolean }
  | ({ op: 'bind'; source: string; target: string; recursive: boolean } & Then)
  | ({ op: 'move'; source: string; target: string } & Then)
  | { op: 'umount'; target: string; lazy: boolean }
  | ({ op: 'propagation'; target: string } & PropagationChange)
  | { op: 'setGroup'; source: string; target: string }
  /** A process NAME in a new mount namespace, copied from the current one, and/or a new user namespace. */
  | { op: 'unshare'; name: string; mount: boolean; user: boolean; propagation: UnsharePropagation }
  /** The following lines run in NAME's mount and/or user namespace. */
  | { op: 'nsenter'; name: string; mount: boolean; user: boolean }
  /** Back to where the last nsenter was typed. */
  | { op: 'exit' }
  /** NAME's process ends. */
  | { op: 'kill'; name: string };

/** The name of the namespace a scenario starts in. */
export const HOST = 'host';

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

/** The --make-* flags of a mount line, taken out of its arguments in order. */
function takePropagationFlags(args: string[]): { changes: PropagationChange[]; rest: string[] } {
  const changes: PropagationChange[] = [];
  const rest: string[] = [];
  for (const arg of args) {
    const make = propagationFlag.exec(arg);
    if (make) changes.push({ type: make[2] as Propagation, recursive: make[1] === 'r' });
    else rest.push(arg);
  }
  return { changes, rest };
}

function parseMount(words: string[]): Step {
  const { changes, rest: args } = takePropagationFlags(words);
  if (changes.length > 0 && args.every((arg) => !arg.startsWith('-'))) {
    if (changes.length > 1) throw new SyntaxProblem('mount: one --make-* flag on its own (a mount command may carry several)');
    const change = changes[0]!;
    const [target] = operands(args, 1, `mount --make-${change.recursive ? 'r' : ''}${change.type} DIR`) as [string];
    return { op: 'propagation', ...change, target };
  }
  const step = parseMountCommand(args);
  if (changes.length === 0) return step;
  if (step.op !== 'mount' && step.op !== 'bind' && step.op !== 'move') {
    throw new SyntaxProblem('mount: --make-* flags go with -t, --bind, --rbind or --move (or on their own)');
  }
  return { ...step, then: changes };
}

function parseMountCommand(args: string[]): Step {
  const [flag, ...rest] = args;
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

/** A namespace's name: a word that could not be a process id, and not the starting namespace's own. */
const namePattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function checkName(name: string, command: string, allowHost: boolean): string {
  if (!namePattern.test(name)) throw new SyntaxProblem(`${command}: '${name}' is not a name (a letter or _, then letters, digits, '_', '.', '-')`);
  if (!allowHost && name === HOST) throw new SyntaxProblem(`${command}: '${HOST}' is the namespace the scenario starts in`);
  return name;
}

/** Short options clustered as getopt takes them (-Um is -U -m); long ones as they are; `--opt=value` split. */
function options(args: string[]): string[] {
  return args.flatMap((arg) => {
    if (/^-[A-Za-z]{2,}$/.test(arg)) return [...arg.slice(1)].map((letter) => `-${letter}`);
    const long = /^(--[a-z-]+)=(.*)$/.exec(arg);
    return long ? [long[1]!, long[2]!] : [arg];
  });
}

const unsharePropagations = new Set(['private', 'shared', 'slave', 'unchanged']);

/** `unshare [-m] [-U] [--propagation P] NAME`. */
function parseUnshare(args: string[]): Step {
  let mount = false;
  let user = false;
  let propagation: UnsharePropagation = 'private';
  const names: string[] = [];
  const words = options(args);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-m' || word === '--mount') mount = true;
    else if (word === '-U' || word === '--user' || word === '-r' || word === '--map-root-user') user = true;
    else if (word === '--propagation') {
      const value = words[++i];
      if (value === undefined || !unsharePropagations.has(value)) throw new SyntaxProblem('unshare: --propagation takes private, shared, slave or unchanged');
      propagation = value as UnsharePropagation;
    } else if (word.startsWith('-')) {
      throw new SyntaxProblem(`unshare: unknown option ${word} (known: -m, -U, -r, --propagation)`);
    } else names.push(word);
  }
  if (!mount && !user) throw new SyntaxProblem('unshare: -m (a mount namespace), -U (a user namespace), or both');
  const [name] = operands(names, 1, 'unshare [-m] [-U] [--propagation private|shared|slave|unchanged] NAME') as [string];
  return { op: 'unshare', name: checkName(name, 'unshare', false), mount, user, propagation };
}

/** `nsenter -t NAME [-m] [-U]`. */
function parseNsenter(args: string[]): Step {
  let mount = false;
  let user = false;
  let name: string | undefined;
  const words = options(args);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-m' || word === '--mount') mount = true;
    else if (word === '-U' || word === '--user') user = true;
    else if (word === '-t' || word === '--target') {
      name = words[++i];
      if (name === undefined) throw new SyntaxProblem('nsenter: -t needs a NAME');
    } else throw new SyntaxProblem(`nsenter: '${word}' is not part of the language's nsenter -t NAME [-m] [-U] (it takes no command: the following lines run there, up to exit)`);
  }
  if (name === undefined) throw new SyntaxProblem('nsenter: -t NAME is required');
  if (!mount && !user) throw new SyntaxProblem('nsenter: enter -m (the mount namespace), -U (the user namespace), or both');
  return { op: 'nsenter', name: checkName(name, 'nsenter', true), mount, user };
}

/** `kill [-9|-KILL] NAME`. */
function parseKill(args: string[]): Step {
  const rest = args[0] === '-9' || args[0] === '-KILL' ? args.slice(1) : args;
  const [name] = operands(rest, 1, 'kill [-9] NAME') as [string];
  return { op: 'kill', name: checkName(name, 'kill', false) };
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
    case 'unshare':
      return parseUnshare(args);
    case 'nsenter':
      return parseNsenter(args);
    case 'exit':
      operands(args, 0, 'exit');
      return { op: 'exit' };
    case 'kill':
      return parseKill(args);
    default:
      throw new SyntaxProblem(`unknown command '${command}' (known: mkdir, touch, cd, mount, umount, unshare, nsenter, exit, kill)`);
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
