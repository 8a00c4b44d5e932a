// Render entries as show_mountinfo() (fs/proc_namespace.c) writes /proc/PID/mountinfo.
//
// Escapes follow the kernel: the root and the mount point go through mangle_path() with
// " \t\n\\" (seq_dentry, seq_path_root); the fs type and the source through mangle(), which is
// seq_escape() with " \t\n\\#". Filesystems with their own show_devname (nfs, btrfs, cifs...)
// leave '#' in the source unescaped; rendering writes it as \043 like every other source.
// Options are written as stored.
import type { MountInfo } from './types.js';

/** The mountinfo text of `entries`, one '\n'-terminated line each. */
export function render(entries: readonly MountInfo[]): string {
  let out = '';
  for (const entry of entries) out += renderLine(entry) + '\n';
  return out;
}

/** One line without its newline; optional fields in show_mountinfo()'s order, unknown ones last. */
export function renderLine(e: MountInfo): string {
  let line = `${e.id} ${e.parentId} ${e.major}:${e.minor} ${escapePath(e.root)} ${escapePath(e.mountPoint)} ${e.mountOptions}`;
  if (e.shared !== undefined) line += ` shared:${e.shared}`;
  if (e.master !== undefined) line += ` master:${e.master}`;
  if (e.propagateFrom !== undefined) line += ` propagate_from:${e.propagateFrom}`;
  if (e.unbindable) line += ' unbindable';
  for (const field of e.otherOptional) line += ` ${field}`;
  return `${line} - ${mangle(e.fsType)} ${mangle(e.source)} ${e.superOptions}`;
}

const pathSpecials = /[ \t\n\\]/g;
const mangleSpecials = /[ \t\n\\#]/g;

/** A path as mangle_path(..., " \t\n\\") writes it. */
export function escapePath(path: string): string {
  return escapeWith(path, pathSpecials);
}

/** An fs type or source as mangle() (seq_escape with " \t\n\\#") writes it. */
export function mangle(text: string): string {
  return escapeWith(text, mangleSpecials);
}

/** `text` with every character matching `specials` written as a backslash and three octal digits. */
function escapeWith(text: string, specials: RegExp): string {
  specials.lastIndex = 0;
  if (!specials.test(text)) return text;
  return text.replace(specials, octalEscape);
}

/** \ooo for one character. */
function octalEscape(c: string): string {
  return '\\' + c.charCodeAt(0).toString(8).padStart(3, '0');
}
