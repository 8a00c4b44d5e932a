// Reading mountinfo files: the live one, saved copies, the size limit, byte-exact latin1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MountinfoTooLargeError, parse, render } from '../../src/mountinfo/index.js';
import { parseFile, readMountinfo, readMountinfoText } from '../../src/process/read-mountinfo.js';
import { canUnshare, fixture, fixturePath, scratchMountinfo } from '../mountinfo/helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'mountinfo-read-'));
afterAll(() => rmSync(scratch, { recursive: true }));

describe('reading mountinfo files', () => {
  it('readMountinfo() reads this process\'s /proc/self/mountinfo', () => {
    const entries = readMountinfo();
    expect(render(entries)).toBe(readFileSync('/proc/self/mountinfo', 'utf8'));
    expect(entries.some((e) => e.mountPoint === '/proc' && e.fsType === 'proc')).toBe(true);
  });

  it('readMountinfo(pid) reads another process\'s table', () => {
    expect(render(readMountinfo(process.pid))).toBe(readFileSync(`/proc/${process.pid}/mountinfo`, 'utf8'));
  });

  it('parseFile reads a saved 20k-mount file larger than one read chunk', () => {
    const path = join(scratch, '20k.txt');
    writeFileSync(path, fixture('host-20k-mounts.txt.gz'));
    expect(parseFile(path)).toHaveLength(20021);
  });

  it('reads each file whole and alone: a small file after a large one, a UTF-8 path after ASCII ones', () => {
    const large = join(scratch, 'large.txt');
    const small = join(scratch, 'small.txt');
    const utf8 = join(scratch, 'utf8.txt');
    writeFileSync(large, fixture('host-20k-mounts.txt.gz'));
    writeFileSync(small, fixture('chroot-propagate-from.txt'));
    writeFileSync(utf8, '25 1 0:40 / /srv/caf\u00e9 rw - tmpfs t\u00e9 rw\n');
    for (const path of [large, small, large, utf8, small]) expect(readMountinfoText(path)).toBe(readFileSync(path, 'utf8'));
    expect(parseFile(utf8)[0]?.mountPoint).toBe('/srv/caf\u00e9');
  });

  it('refuses a file over maxBytes with MountinfoTooLargeError', () => {
    const read = () => parseFile(fixturePath('escapes-and-propagation.txt'), { maxBytes: 100 });
    expect(read).toThrow(MountinfoTooLargeError);
    expect(read).toThrow(/larger than 100 bytes/);
  });

  it('stops at the limit on an endless file instead of reading it all', () => {
    expect(() => readMountinfoText('/dev/zero', { maxBytes: 4 * 1024 * 1024 })).toThrow(MountinfoTooLargeError);
  });

  it('accepts a file of exactly maxBytes', () => {
    const path = fixturePath('chroot-propagate-from.txt');
    const size = readFileSync(path).length;
    expect(parseFile(path, { maxBytes: size })).toHaveLength(3);
  });
});

describe.skipIf(!canUnshare)('a path that is not UTF-8', () => {
  it("encoding 'latin1' keeps every byte, so rendering is byte-exact; utf8 replaces the byte", () => {
    const live = scratchMountinfo('N=$(printf "x\\377y"); mkdir "$N"; mount -t tmpfs "$(printf "s\\377")" "$N"');
    const path = join(scratch, 'latin1.txt');
    writeFileSync(path, live.bytes);

    const bytewise = parseFile(path, { encoding: 'latin1' });
    const entry = bytewise.find((e) => e.mountPoint === `${live.dir}/x\u00ffy`);
    expect(entry?.source).toBe('s\u00ff');
    expect(Buffer.from(render(bytewise), 'latin1').equals(live.bytes)).toBe(true);

    expect(parse(live.text).some((e) => e.mountPoint === `${live.dir}/x\ufffdy`)).toBe(true);
  });
});
