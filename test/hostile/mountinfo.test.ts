// Hostile mountinfo text beyond the malformed lines of test/mountinfo/parse.test.ts: what must NOT
// be an error (parents outside the reader's view), escape runs of any length, and files too large
// to be mountinfo (MountinfoTooLargeError, with memory bounded by the limit).
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MountinfoParseError, MountinfoTooLargeError, parse, render } from '../../src/mountinfo/index.js';
import { DEFAULT_MAX_BYTES, parseFile, readMountinfoText } from '../../src/process/read-mountinfo.js';

const scratch = mkdtempSync(join(tmpdir(), 'hostile-mountinfo-'));
afterAll(() => rmSync(scratch, { recursive: true }));

/** A sparse file of `bytes` zero bytes: no disk used, and any reader that does not stop reads them all. */
function sparseFile(name: string, bytes: number): string {
  const path = join(scratch, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

function parseError(text: string): MountinfoParseError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof MountinfoParseError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('parents outside the reader\'s view are not an error', () => {
  it('the namespace root names a parent that is never listed (the kernel prints it so)', () => {
    const entries = parse('25 1 0:22 / / rw - ext4 /dev/root rw\n26 25 0:23 / /proc rw - proc proc rw\n');
    expect(entries.map((e) => e.parentId)).toEqual([1, 25]);
  });

  it('a chrooted reader sees orphans: mounts whose parents are outside its root', () => {
    const text = '40 31 0:35 / / rw - tmpfs a rw\n41 39 0:36 / /x rw - tmpfs b rw\n42 41 0:36 / /x/y rw - tmpfs b rw\n';
    expect(render(parse(text))).toBe(text);
  });

  it('a mount that names itself as parent (the initial rootfs in some views) parses', () => {
    expect(parse('1 1 0:1 / / rw - rootfs rootfs rw\n')[0]).toMatchObject({ id: 1, parentId: 1 });
  });
});

describe('escapes', () => {
  it.each([1_000, 200_000])('a run of %i escaped spaces decodes (no spread of 125,000 arguments)', (n) => {
    const [entry] = parse(`1 1 0:1 /${'\\040'.repeat(n)} / rw - t s rw\n`);
    expect(entry!.root).toBe(`/${' '.repeat(n)}`);
  });

  it('a run of 200,000 escaped UTF-8 bytes decodes as 100,000 characters', () => {
    expect(parse(`1 1 0:1 / /${'\\303\\251'.repeat(100_000)} rw - t s rw\n`)[0]!.mountPoint).toBe(`/${'é'.repeat(100_000)}`);
  });

  it.each([
    ['a backslash at the very end of a field', '1 1 0:1 /a\\ / rw - t s rw\n'],
    ['an escape cut short in the source', '1 1 0:1 / / rw - t s\\04 rw\n'],
  ])('%s: bad-escape', (_what, text) => {
    expect(parseError(text).problem).toBe('bad-escape');
  });

  it('an escaped NUL byte is decoded into the path, not cut at (the API refuses such a path later)', () => {
    expect(parse('1 1 0:1 / /a\\000b rw - t s rw\n')[0]!.mountPoint).toBe('/a\0b');
  });
});

describe('numbers and ids', () => {
  it.each([
    ['a mount id of 2^31 (beyond %i)', '2147483648 1 0:1 / / rw - t s rw\n', 'bad-number'],
    ['a minor beyond %u', '1 1 0:4294967296 / / rw - t s rw\n', 'bad-number'],
    ['a mount id in hexadecimal', '0x10 1 0:1 / / rw - t s rw\n', 'bad-number'],
    ['a mount id with a plus sign', '+1 1 0:1 / / rw - t s rw\n', 'bad-number'],
    ['a mount id of 40 digits', `${'9'.repeat(40)} 1 0:1 / / rw - t s rw\n`, 'bad-number'],
    ['a duplicate id far apart', `${Array.from({ length: 1000 }, (_, i) => `${i + 1} 1 0:1 / /m${i} rw - t s rw`).join('\n')}\n7 1 0:1 / /again rw - t s rw\n`, 'duplicate-id'],
    ['a tab instead of a space between fields', '1\t1 0:1 / / rw - t s rw\n', 'bad-number'],
    ['a line of only spaces', '   \n', 'bad-number'],
    ['a NUL byte (binary data)', '\0\0\0\n', 'bad-number'],
  ] as const)('%s: %s', (_what, text, problem) => {
    expect(parseError(text).problem).toBe(problem);
  });
});

describe('files too large to be mountinfo', () => {
  it('100 MB: MountinfoTooLargeError at the default limit of 64 MiB', () => {
    const path = sparseFile('100mb', 100 * 1000 * 1000);
    expect(() => parseFile(path)).toThrow(MountinfoTooLargeError);
    expect(() => parseFile(path)).toThrow(new RegExp(`larger than ${DEFAULT_MAX_BYTES} bytes`));
  });

  it('1 GiB stops at the limit: done long before reading it all (memory bounded by maxBytes)', () => {
    const path = sparseFile('1gib', 1024 ** 3);
    const started = performance.now();
    expect(() => readMountinfoText(path, { maxBytes: 8 * 1024 * 1024 })).toThrow(MountinfoTooLargeError);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a file of exactly the limit is read; one byte more is refused', () => {
    const line = '1 1 0:1 / / rw - t s rw\n';
    const path = join(scratch, 'exact');
    writeFileSync(path, line);
    expect(parseFile(path, { maxBytes: line.length })).toHaveLength(1);
    expect(() => parseFile(path, { maxBytes: line.length - 1 })).toThrow(MountinfoTooLargeError);
  });

  it('an empty file is an empty-input error unless allowEmpty', () => {
    const path = join(scratch, 'empty');
    writeFileSync(path, '');
    expect(() => parseFile(path)).toThrow(expect.objectContaining({ problem: 'empty-input' }));
    expect(parseFile(path, { allowEmpty: true })).toEqual([]);
  });
});
