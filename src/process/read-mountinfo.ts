// Read and parse a mountinfo file: /proc/PID/mountinfo or a saved copy. The only module of
// src/mountinfo that touches node:*; parse() itself stays pure.
//
// Reads are synchronous, in the calling thread (mount namespaces are per thread, and the design
// keeps syscalls on the calling thread). /proc files report size 0, so the file is read until EOF
// into a buffer that doubles as it fills, and reading stops with MountinfoTooLargeError once it
// passes `maxBytes`: memory stays bounded by the limit whatever the file holds.
//
// Fresh memory is what reading costs most (bench/mountinfo-parse.ts: on a 2.3 MB file, page faults
// on new buffers and on the string decoded from them took 8-10 ms, the read itself 0.1 ms): so the
// buffer is kept for the next read, up to KEPT_BYTES, and ASCII text — every mountinfo whose paths
// are ASCII — is decoded by Node's ASCII decoder, which gives the same string without that cost.
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { MountinfoTooLargeError } from '../mountinfo/errors.js';
import { parse, type ParseOptions } from '../mountinfo/parse.js';
import type { MountInfo } from '../mountinfo/types.js';

/** 64 MiB: about a million mounts of typical length, ten times the kernel's default mount-max. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** The largest read buffer kept for the next read: room for a 40,000-mount mountinfo. */
const KEPT_BYTES = 8 * 1024 * 1024;
/** The buffer reads start in. */
let readBuffer: Buffer = Buffer.allocUnsafe(64 * 1024);

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

/** `buffer` with its first `length` bytes, in one twice as large, but never over `limit` bytes. */
function grown(buffer: Buffer, length: number, limit: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit));
  buffer.copy(bigger, 0, 0, length);
  return bigger;
}

/** Bytes as text in `encoding`; ASCII reads the same in both, and decodes fastest as ASCII. */
function decode(bytes: Buffer, encoding: 'utf8' | 'latin1'): string {
  return bytes.toString(isAscii(bytes) ? 'ascii' : encoding);
}

/** The text of a mountinfo file, read up to `maxBytes`. */
export function readMountinfoText(path: string, options: ReadOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const fd = openSync(path, 'r');
  try {
    let buffer = readBuffer;
    let length = 0;
    for (;;) {
      if (length === buffer.length) buffer = grown(buffer, length, maxBytes + 1);
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new MountinfoTooLargeError(path, maxBytes);
    }
    if (buffer.length <= KEPT_BYTES) readBuffer = buffer;
    return decode(buffer.subarray(0, length), options.encoding ?? 'utf8');
  } finally {
    closeSync(fd);
  }
}
