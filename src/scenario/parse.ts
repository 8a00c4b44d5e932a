// The scenario language: the mount commands a person already types, one per line.
//
//   mkdir [-p] DIR...                     cd DIR
//   mount -t TYPE [-o DATA] SOURCE DIR    umount [-l] DIR
//   mount --bind|--rbind SRC DST          mount --move SRC DST
//   mount --make-[r]shared|slave|private|unbindable DIR
//   mount --set-group SRC DST             # comment
//
// Words are split on blanks; '...' and "..." quote literally. Anything else a shell would expand
// ($, `, \, globs, redirections, ;, &, |) is refused, not misread.
import type { Propagation } from '../namespace.js';

export type Step =
  | { op: 'mkdir'; paths: string[]; parents: boolean }
  | { op: 'cd'; path: string }
  | { op: 'mount'; fsType: string; source: string; target: string; data?: string }
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

const propagationFlag = /^--make-(r?)(shared|slave|private|unbindable)$/;

/** `mount -t TYPE [-o DATA] SOURCE DIR`, with -t and -o in either order. */
function parseNewMount(args: string[]): Step {
  let fsType: string | undefined;
  let data: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-t' || arg === '-o') {
      const value = args[++i];
      if (value === undefined) throw new SyntaxProblem(`mount: ${arg} needs a value`);
      if (arg === '-t') fsType = value;
      else data = value;
    } else if (arg.startsWith('-')) {
      throw new SyntaxProblem(`mount: unknown option ${arg}`);
    } else {
      rest.push(arg);
    }
  }
  if (fsType === undefined) throw new SyntaxProblem('expected mount -t TYPE [-o DATA] SOURCE DIR');
  const [source, target] = operands(rest, 2, 'mount -t TYPE [-o DATA] SOURCE DIR') as [string, string];
  return data === undefined ? { op: 'mount', fsType, source, target } : { op: 'mount', fsType, source, target, data };
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
    default:
      if (args.includes('-t')) return parseNewMount(args);
      throw new SyntaxProblem(
        `mount: expected -t TYPE, --bind, --rbind, --move, --set-group or --make-[r]shared|slave|private|unbindable${flag ? `, not ${flag}` : ''}`,
      );
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
    case 'cd':
      return { op: 'cd', path: operands(args, 1, 'cd DIR')[0]! };
    case 'mount':
      return parseMount(args);
    case 'umount':
      return parseUmount(args);
    default:
      throw new SyntaxProblem(`unknown command '${command}' (known: mkdir, cd, mount, umount)`);
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
