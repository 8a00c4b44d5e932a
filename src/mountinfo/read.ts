// Read and parse a mountinfo file: /proc/PID/mountinfo or a saved copy. The only module of
// src/mountinfo that touches node:*; parse() itself stays pure.
//
// Reads are synchronous, in the calling thread (mount namespaces are per thread, and the design
// keeps syscalls on the calling thread). /proc files report size 0, so the file is read in chunks
// until EOF, and reading stops with MountinfoTooLargeError once it passes `maxBytes`: memory stays
// bounded by the limit whatever the file holds.
import { closeSync, openSync, readSync } from 'node:fs';
import { MountinfoTooLargeError } from './errors.js';
import { parse, type ParseOptions } from './parse.js';
import type { MountInfo } from './types.js';

/** 64 MiB: about a million mounts of typical length, ten times the kernel's default mount-max. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export interface ReadOptions extends ParseOptions {
  /** Refuse files larger than this many bytes. Default DEFAULT_MAX_BYTES. */
  maxBytes?: number;
  /**
   * How bytes become text. 'utf8' (default) gives readable non-ASCII paths but turns invalid UTF-8
   * into U+FFFD; 'latin1' keeps every byte as one character, so rendering is byte-exact.
   */
  encoding?: 'utf8' | 'latin1';
}

/** The parsed mount table of a process: /proc/PID/mountinfo. */
export function readMountinfo(pid: number | 'self' | 'thread-self' = 'self', options: ReadOptions = {}): MountInfo[] {
  return parseFile(`/proc/${pid}/mountinfo`, options);
}

/** The parsed contents of a mountinfo file. */
export function parseFile(path: string, options: ReadOptions = {}): MountInfo[] {
  return parse(readMountinfoText(path, options), options);
}

/** The text of a mountinfo file, read in chunks up to `maxBytes`. */
export function readMountinfoText(path: string, options: ReadOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new MountinfoTooLargeError(path, maxBytes);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString(options.encoding ?? 'utf8');
  } finally {
    closeSync(fd);
  }
}
