// Parse /proc/PID/mountinfo as show_mountinfo() (fs/proc_namespace.c) writes it:
//
//   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS\n
//
// One pass over the text, no regular expressions and no split(): a cursor walks each line with
// indexOf() and reads numbers digit by digit, which measured faster than split(' ') + parseInt.
// Everything the kernel cannot have written is refused with a MountinfoParseError.
//
// Escapes: the kernel writes the root and the mount point with mangle_path() and the fs type and
// source with seq_escape(), as a backslash and three octal digits (\040 space, \011 tab, \012
// newline, \134 backslash, \043 '#'). Any well-formed \ooo escape is decoded; a run of escapes of
// bytes >= 0x80 is decoded as UTF-8. Mount and superblock options are kept verbatim.
import { MountinfoParseError, type MountinfoProblem } from './errors.js';
import type { MountInfo } from './types.js';

const SPACE = 0x20;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const DIGIT_0 = 0x30;
const DIGIT_3 = 0x33;
const DIGIT_7 = 0x37;
const DIGIT_9 = 0x39;
/** Mount and group ids are printed with %i. */
const MAX_ID = 0x7fffffff;
/** Major and minor are printed with %u. */
const MAX_DEV = 0xffffffff;

const utf8 = new TextDecoder();

export interface ParseOptions {
  /**
   * Accept empty input as an empty table. Off by default, since an empty text is most often a
   * read that went wrong; but the kernel does write nothing for a process chrooted into a directory
   * with no mount at or under it (every mount is outside its root).
   */
  allowEmpty?: boolean;
}

/**
 * Every entry of a mountinfo text, in the kernel's order. Throws MountinfoParseError on malformed
 * input: the first malformed line, or else the first line that repeats a mount id.
 */
export function parse(text: string, options: ParseOptions = {}): MountInfo[] {
  if (text.length === 0) {
    if (options.allowEmpty === true) return [];
    throw new MountinfoParseError(1, 'empty-input', 'empty input');
  }
  const entries: MountInfo[] = [];
  const cursor = new LineCursor(text);
  while (cursor.nextLine()) entries.push(parseLine(cursor));
  checkUniqueIds(entries);
  return entries;
}

/** One line, the cursor at its start. */
function parseLine(c: LineCursor): MountInfo {
  if (c.pos === c.end) throw c.error('truncated-line', 'empty line');
  const id = c.number('mount id', SPACE, MAX_ID);
  const parentId = c.number('parent id', SPACE, MAX_ID);
  const major = c.number('major', COLON, MAX_DEV);
  const minor = c.number('minor', SPACE, MAX_DEV);
  const root = c.unescaped('root', c.field('root'));
  const mountPoint = c.unescaped('mount point', c.field('mount point'));
  const mountOptions = c.mountOptions();
  const entry: MountInfo = {
    id, parentId, major, minor, root, mountPoint, mountOptions,
    unbindable: false, otherOptional: [],
    fsType: '', source: '', superOptions: '',
  };
  c.optionalFields(entry);
  entry.fsType = c.unescaped('fs type', c.field('fs type'));
  entry.source = c.unescaped('source', c.field('source', true));
  entry.superOptions = c.rest('super options');
  return entry;
}

/**
 * Refuses a mount id that appears on two lines, naming the first line that repeats one. Runs after
 * the syntax checks, which it leaves cheap: ids in increasing order (the usual case) need one
 * comparison each, others a sort of a typed array; a Map per parse measured 30% slower.
 */
function checkUniqueIds(entries: MountInfo[]): void {
  if (entries.every((e, i) => i === 0 || e.id > entries[i - 1]!.id)) return;
  const sorted = Int32Array.from(entries, (e) => e.id).sort();
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);
  if (repeated.size === 0) return;
  const firstLine = new Map<number, number>();
  entries.forEach((e, i) => {
    if (!repeated.has(e.id)) return;
    const first = firstLine.get(e.id);
    if (first !== undefined) {
      throw new MountinfoParseError(i + 1, 'duplicate-id', `duplicate mount id ${e.id} (first on line ${first})`);
    }
    firstLine.set(e.id, i + 1);
  });
}

/** Walks the text line by line; `pos` is the next unread character, `end` the line's '\n'. */
class LineCursor {
  readonly text: string;
  line = 0;
  pos = 0;
  end = -1;

  constructor(text: string) {
    this.text = text;
  }

  /** Moves to the next line; false at the end of the text. */
  nextLine(): boolean {
    const start = this.end + 1;
    if (start >= this.text.length) return false;
    this.line++;
    const end = this.text.indexOf('\n', start);
    this.pos = start;
    if (end === -1) {
      this.end = this.text.length;
      throw this.error('truncated-line', 'no newline at the end of the input (truncated line)');
    }
    this.end = end;
    return true;
  }

  /** The raw field up to the next space; `what` names it in errors. `mayBeEmpty`: the source can be "". */
  field(what: string, mayBeEmpty = false): string {
    const start = this.pos;
    const space = this.spaceBeforeEnd(start);
    if (space === -1) throw this.error('truncated-line', `line ends in ${what}`);
    if (space === start && !mayBeEmpty) throw this.error('empty-field', `empty ${what}`);
    this.pos = space + 1;
    return this.text.slice(start, space);
  }

  /** The mount options; a line that ends here lacks the separator. */
  mountOptions(): string {
    if (this.spaceBeforeEnd(this.pos) === -1) throw this.missingSeparator();
    return this.field('mount options');
  }

  /** The rest of the line (the superblock options, which end it). */
  rest(what: string): string {
    const start = this.pos;
    if (start === this.end) throw this.error('empty-field', `empty ${what}`);
    this.pos = this.end;
    return this.text.slice(start, this.end);
  }

  /** Reads the optional fields and the "-" that ends them into `entry`. */
  optionalFields(entry: MountInfo): void {
    const text = this.text;
    for (;;) {
      const start = this.pos;
      const space = this.spaceBeforeEnd(start);
      if (space === -1) throw this.missingSeparator();
      if (space === start) throw this.error('empty-field', 'empty optional field');
      if (space === start + 1 && text.charCodeAt(start) === 0x2d) {
        this.pos = space + 1;
        return;
      }
      if (text.startsWith('shared:', start)) {
        entry.shared = this.tagNumber(entry.shared, 'shared', start + 7);
      } else if (text.startsWith('master:', start)) {
        entry.master = this.tagNumber(entry.master, 'master', start + 7);
      } else if (text.startsWith('propagate_from:', start)) {
        entry.propagateFrom = this.tagNumber(entry.propagateFrom, 'propagate_from', start + 15);
      } else if (space === start + 10 && text.startsWith('unbindable', start)) {
        if (entry.unbindable) throw this.duplicateTag('unbindable');
        entry.unbindable = true;
        this.pos = space + 1;
      } else {
        entry.otherOptional.push(text.slice(start, space));
        this.pos = space + 1;
      }
    }
  }

  /** The group id of a `tag:N` optional field whose number starts at `at`; a tag may appear once. */
  tagNumber(previous: number | undefined, tag: string, at: number): number {
    if (previous !== undefined) throw this.duplicateTag(tag);
    this.pos = at;
    return this.number(`${tag} group id`, SPACE, MAX_ID);
  }

  /** A decimal number ending in `terminator`, as the kernel prints it: digits only, no leading zero. */
  number(what: string, terminator: number, max: number): number {
    const text = this.text;
    const start = this.pos;
    let value = 0;
    let p = start;
    for (; p < this.end; p++) {
      const c = text.charCodeAt(p);
      if (c === terminator) break;
      if (c < DIGIT_0 || c > DIGIT_9) throw this.badNumber(what, start, terminator);
      value = value * 10 + (c - DIGIT_0);
    }
    if (p === this.end) throw this.error('truncated-line', `line ends in ${what}`);
    const leadingZero = text.charCodeAt(start) === DIGIT_0 && p > start + 1;
    if (p === start || leadingZero || value > max) throw this.badNumber(what, start, terminator);
    this.pos = p + 1;
    return value;
  }

  /** `raw` with its octal escapes decoded; fast when it has none. */
  unescaped(what: string, raw: string): string {
    return raw.indexOf('\\') === -1 ? raw : this.decodeEscapes(what, raw);
  }

  /** Decodes every \ooo escape of `raw`; runs of escaped bytes are decoded together as UTF-8. */
  decodeEscapes(what: string, raw: string): string {
    let out = '';
    let from = 0;
    let at = raw.indexOf('\\');
    while (at !== -1) {
      out += raw.slice(from, at);
      const bytes: number[] = [];
      while (raw.charCodeAt(at) === BACKSLASH) {
        bytes.push(this.octalByte(what, raw, at));
        at += 4;
      }
      out += bytesToString(bytes);
      from = at;
      at = raw.indexOf('\\', from);
    }
    return out + raw.slice(from);
  }

  /** The byte of the \ooo escape at `at` in `raw`. */
  octalByte(what: string, raw: string, at: number): number {
    if (at + 3 >= raw.length) {
      throw this.error('bad-escape', `incomplete octal escape "${raw.slice(at)}" in ${what}`);
    }
    const d1 = raw.charCodeAt(at + 1);
    const d2 = raw.charCodeAt(at + 2);
    const d3 = raw.charCodeAt(at + 3);
    const octal = d1 >= DIGIT_0 && d1 <= DIGIT_3 && d2 >= DIGIT_0 && d2 <= DIGIT_7 && d3 >= DIGIT_0 && d3 <= DIGIT_7;
    if (!octal) throw this.error('bad-escape', `bad octal escape "${raw.slice(at, at + 4)}" in ${what}`);
    return ((d1 - DIGIT_0) << 6) | ((d2 - DIGIT_0) << 3) | (d3 - DIGIT_0);
  }

  /** Index of the next space at or after `from` on this line, or -1. */
  spaceBeforeEnd(from: number): number {
    const space = this.text.indexOf(' ', from);
    return space === -1 || space > this.end ? -1 : space;
  }

  /** The error for `problem` on the current line. */
  error(problem: MountinfoProblem, reason: string): MountinfoParseError {
    return new MountinfoParseError(this.line, problem, reason);
  }

  /** The error for a line without its " - " separator. */
  missingSeparator(): MountinfoParseError {
    return this.error('missing-separator', 'missing " - " separator after the optional fields');
  }

  /** The error for an optional field that appears twice. */
  duplicateTag(tag: string): MountinfoParseError {
    return this.error('bad-optional-field', `optional field ${tag} appears twice`);
  }

  /** The error for a malformed number starting at `start` and ending at a space or `terminator`. */
  badNumber(what: string, start: number, terminator: number): MountinfoParseError {
    let stop = start;
    while (stop < this.end && this.text.charCodeAt(stop) !== SPACE && this.text.charCodeAt(stop) !== terminator) stop++;
    const token = this.text.slice(start, stop);
    return this.error('bad-number', `bad ${what} "${token}"`);
  }
}

/** Runs of escapes up to this many bytes take the fast path; a spread of 100,000 arguments overflows the stack. */
const MAX_SPREAD = 1024;

/** Escaped bytes as text: a short ASCII run as is, anything else as UTF-8 (of which ASCII is a part). */
function bytesToString(bytes: number[]): string {
  const ascii = bytes.length <= MAX_SPREAD && bytes.every((b) => b < 0x80);
  return ascii ? String.fromCharCode(...bytes) : utf8.decode(Uint8Array.from(bytes));
}
