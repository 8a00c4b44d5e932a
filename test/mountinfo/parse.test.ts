// parse() and render() against what the kernel writes: the captured fixtures, findmnt's reading of
// them, and mountinfo made live in a private namespace from names chosen here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MountinfoParseError, parse, render, type MountInfo, type MountinfoProblem } from '../../src/mountinfo/index.js';
import {
  canUnshare,
  findmnt,
  fixture,
  fixtureNames,
  fixturePath,
  hasFindmnt,
  scratchMountinfo,
  staticBusybox,
  type ScratchMountinfo,
} from './helpers.js';

/** The entry mounted at `mountPoint` (the topmost if several). */
function at(entries: MountInfo[], mountPoint: string): MountInfo {
  const found = entries.filter((e) => e.mountPoint === mountPoint);
  expect(found, `a mount at ${JSON.stringify(mountPoint)}`).not.toHaveLength(0);
  return found[found.length - 1]!;
}

/** The optional fields of an entry, in the kernel's order, as one string (findmnt's OPT-FIELDS). */
function optionalFields(e: MountInfo): string | null {
  const fields = [
    ...(e.shared !== undefined ? [`shared:${e.shared}`] : []),
    ...(e.master !== undefined ? [`master:${e.master}`] : []),
    ...(e.propagateFrom !== undefined ? [`propagate_from:${e.propagateFrom}`] : []),
    ...(e.unbindable ? ['unbindable'] : []),
    ...e.otherOptional,
  ];
  return fields.length === 0 ? null : fields.join(' ');
}

describe('fixtures captured from the kernel', () => {
  it.each(fixtureNames)('%s round-trips: render(parse(x)) === x', (name) => {
    const text = fixture(name);
    const entries = parse(text);
    expect(entries).toHaveLength(text.split('\n').length - 1);
    expect(render(entries)).toBe(text);
  });

  it('the live /proc/self/mountinfo round-trips', () => {
    const text = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(render(parse(text))).toBe(text);
  });

  it('the 20k fixture has the 20,021 mounts its README counts', () => {
    const entries = parse(fixture('host-20k-mounts.txt.gz'));
    expect(entries).toHaveLength(20021);
    expect(entries.filter((e) => e.root.startsWith('/d') && e.fsType === 'tmpfs')).toHaveLength(20000);
  });

  it.skipIf(!hasFindmnt).each(fixtureNames.filter((n) => !n.endsWith('.gz')))(
    'agrees field by field with findmnt (libmount) on %s',
    (name) => {
      const path = fixturePath(name);
      expect(parse(readFileSync(path, 'utf8')).map(asFindmnt)).toEqual(findmnt(path));
    },
  );

  it.skipIf(!hasFindmnt).each([
    ['the 20k fixture', () => fixture('host-20k-mounts.txt.gz')],
    ['a snapshot of the live /proc/self/mountinfo', () => readFileSync('/proc/self/mountinfo', 'utf8')],
  ])('agrees field by field with findmnt (libmount) on %s', (_name, read) => {
    const text = read();
    const dir = mkdtempSync(join(tmpdir(), 'mountinfo-test-'));
    try {
      writeFileSync(join(dir, 'mountinfo'), text);
      expect(parse(text).map(asFindmnt)).toEqual(findmnt(join(dir, 'mountinfo')));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reads propagate_from: C in the chroot fixture is master:2 propagate_from:1', () => {
    const c = at(parse(fixture('chroot-propagate-from.txt')), '/C');
    expect([c.shared, c.master, c.propagateFrom]).toEqual([undefined, 2, 1]);
  });

  it('reads shared, master, both, and unbindable from the escapes fixture', () => {
    const entries = parse(fixture('escapes-and-propagation.txt'));
    const fields = (p: string) => {
      const e = at(entries, p);
      return { shared: e.shared, master: e.master, unbindable: e.unbindable };
    };
    expect(fields('/tmp/mifix/view/A')).toEqual({ shared: 1, master: undefined, unbindable: false });
    expect(fields('/tmp/mifix/hidden/B')).toEqual({ shared: 2, master: 1, unbindable: false });
    expect(fields('/tmp/mifix/view/C')).toEqual({ shared: undefined, master: 2, unbindable: false });
    expect(fields('/tmp/mifix/view/U')).toEqual({ shared: undefined, master: undefined, unbindable: true });
  });

  it('decodes the escapes in the fixture: space, tab, backslash, newline', () => {
    const entries = parse(fixture('escapes-and-propagation.txt'));
    for (const name of ['with space', 'tab\there', 'back\\slash', 'new\nline']) {
      expect(at(entries, `/tmp/mifix/view/${name}`).fsType).toBe('tmpfs');
    }
    expect(at(entries, '/tmp/mifix').source).toBe('root src');
    expect(at(entries, '/tmp/mifix/view/with space').source).toBe('src with space');
  });
});

/** An entry in findmnt's JSON shape (findmnt shows a bind mount's root after its source: "m[/d1]"). */
function asFindmnt(e: MountInfo) {
  return {
    id: e.id,
    parent: e.parentId,
    'maj:min': `${e.major}:${e.minor}`,
    fsroot: e.root,
    target: e.mountPoint,
    fstype: e.fsType,
    source: e.source === '' ? null : e.root === '/' ? e.source : `${e.source}[${e.root}]`,
    'vfs-options': e.mountOptions,
    'opt-fields': optionalFields(e),
  };
}

describe.skipIf(!canUnshare)('escapes, on mountinfo the kernel writes for names chosen here', () => {
  const names = ['with space', 'tab\there', 'new\nline', 'back\\slash', 'hash#mark', 'caf\u00e9', ' lead', 'two  spaces'];
  let live: ScratchMountinfo;
  let entries: MountInfo[];
  beforeAll(() => {
    live = scratchMountinfo(
      'for n in "$@"; do mkdir -- "$n"; mount -t tmpfs -- "src-$n" "$n"; mkdir -- "$n/sub $n"; done\n' +
        'mount --bind -- "$1/sub $1" "$2"\n' +
        'mkdir empty; mount -t tmpfs "" empty',
      names,
    );
    entries = parse(live.text);
  });

  it.each(names)('mount point and source %j come back unescaped', (name) => {
    const e = entries.find((x) => x.mountPoint === `${live.dir}/${name}` && x.source === `src-${name}`);
    expect(e).toBeDefined();
  });

  it('a bind mount of a subdirectory has the unescaped subdirectory as root', () => {
    expect(at(entries, `${live.dir}/${names[1]}`).root).toBe(`/sub ${names[0]}`);
  });

  it('an empty source (mount -t tmpfs "" DIR) parses as ""', () => {
    expect(at(entries, `${live.dir}/empty`).source).toBe('');
  });

  it('the kernel escapes "#" in the source only, and the text round-trips', () => {
    expect(live.text).toContain('/hash#mark ');
    expect(live.text).toContain('src-hash\\043mark');
    expect(render(entries)).toBe(live.text);
  });
});

/**
 * In a scratch namespace: runs `script`, then a busybox sleep chrooted into ./view, and returns
 * the mountinfo outside and the one the chrooted process sees — read once /proc/PID/root shows it
 * chrooted (before that, it would see the whole table: no fixed delay is long enough under load).
 */
function chrootMountinfo(script: string): { outside: MountInfo[]; inside: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mountinfo-chroot-'));
  try {
    const inside = join(dir, 'inside');
    const live = scratchMountinfo(
      `mkdir view; ${script}\ncp "$1" view/busybox\n` +
        'chroot view /busybox sleep 5 &\n' +
        'for i in $(seq 500); do [ "$(readlink /proc/$!/root)" = "$PWD/view" ] && break; sleep 0.01; done\n' +
        'cat /proc/$!/mountinfo > "$2"; kill $!',
      [staticBusybox!, inside],
    );
    return { outside: parse(live.text), inside: readFileSync(inside, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe.skipIf(!canUnshare || staticBusybox === undefined)('a reader chrooted away from mounts', () => {
  it('sees propagate_from: the dominating group when the master is outside its root', () => {
    const { outside, inside } = chrootMountinfo(
      'mkdir view/A view/C hidden; mount -t tmpfs T view/A; mount --make-shared view/A\n' +
        'mount --bind view/A hidden; mount --make-slave hidden; mount --make-shared hidden\n' +
        'mount --bind hidden view/C; mount --make-slave view/C',
    );
    const a = outside.find((e) => e.mountPoint.endsWith('/view/A'))!;
    const b = outside.find((e) => e.mountPoint.endsWith('/hidden'))!;
    expect(b.master).toBe(a.shared);
    const c = at(parse(inside), '/C');
    expect([c.master, c.propagateFrom]).toEqual([b.shared, a.shared]);
    expect(render(parse(inside))).toBe(inside);
  });

  it('gets an empty mountinfo with no mount under its root: an error unless allowEmpty', () => {
    const { inside } = chrootMountinfo('true');
    expect(inside).toBe('');
    expect(parseError(inside).problem).toBe('empty-input');
    expect(parse(inside, { allowEmpty: true })).toEqual([]);
  });
});

describe('escapes the kernel does not write', () => {
  const line = (mountPoint: string) => `1 0 0:1 / ${mountPoint} rw - tmpfs x rw\n`;

  it('decodes any 3-digit octal escape', () => {
    expect(parse(line('/a\\101\\142'))[0]!.mountPoint).toBe('/aAb');
  });

  it('decodes a run of escaped bytes >= 0x80 as UTF-8', () => {
    expect(parse(line('/caf\\303\\251'))[0]!.mountPoint).toBe('/caf\u00e9');
  });
});

describe('optional fields', () => {
  const line = (optional: string) => `1 0 0:1 / /m rw ${optional} - tmpfs x rw\n`;

  it('keeps unknown ones verbatim and in order, and renders them after the known ones', () => {
    const text = line('shared:3 master:1 propagate_from:2 unbindable future:9 flag');
    const [e] = parse(text);
    expect(e!.otherOptional).toEqual(['future:9', 'flag']);
    expect([e!.shared, e!.master, e!.propagateFrom, e!.unbindable]).toEqual([3, 1, 2, true]);
    expect(render(parse(text))).toBe(text);
  });

  it('accepts a line with none', () => {
    const [e] = parse('5 1 8:1 / /m rw - ext4 /dev/sda1 rw\n');
    expect(optionalFields(e!)).toBeNull();
  });
});

/** The error parse() throws on `text`. */
function parseError(text: string): MountinfoParseError {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(MountinfoParseError);
    return error as MountinfoParseError;
  }
  throw new Error('parse() accepted malformed input');
}

describe('malformed input: a MountinfoParseError with the line and the problem', () => {
  const good = fixture('escapes-and-propagation.txt').split('\n').slice(0, 4);
  /** The four good lines with line `n` (1-based) replaced. */
  const withLine = (n: number, replacement: string) =>
    good.map((l, i) => (i === n - 1 ? replacement : l)).join('\n') + '\n';

  const cases: [string, string, number, MountinfoProblem, RegExp][] = [
    ['empty input', '', 1, 'empty-input', /empty input/],
    ['no newline at the end', good.join('\n'), 4, 'truncated-line', /no newline/],
    ['a line cut after the root', withLine(2, '64 63 0:40 /'), 2, 'truncated-line', /ends in root/],
    ['a line cut inside the ids', withLine(3, '65 63'), 3, 'truncated-line', /ends in parent id/],
    ['a line cut after the fs type', withLine(2, '64 63 0:40 / /A rw shared:1 - tmpfs'), 2, 'truncated-line', /ends in fs type/],
    ['an empty line', withLine(3, ''), 3, 'truncated-line', /empty line/],
    ['no " - "', withLine(4, '66 63 0:40 / /tmp/mifix/view/C rw,relatime master:2 tmpfs shared_src rw'), 4, 'missing-separator', /" - "/],
    ['no " - " and nothing after the options', withLine(1, '63 43 0:39 / /tmp/mifix rw,relatime'), 1, 'missing-separator', /" - "/],
    ['no superblock options', withLine(2, '64 63 0:40 / /A rw shared:1 - tmpfs shared_src '), 2, 'empty-field', /super options/],
    ['an empty mount point', withLine(2, '64 63 0:40 /  rw - tmpfs x rw'), 2, 'empty-field', /mount point/],
    ['a non-octal escape', withLine(3, '65 63 0:40 / /a\\08x rw - tmpfs x rw'), 3, 'bad-escape', /bad octal escape "\\08x" in mount point/],
    ['an escape above \\377', withLine(2, '64 63 0:40 / /a\\400 rw - tmpfs x rw'), 2, 'bad-escape', /bad octal escape/],
    ['a backslash not followed by digits', withLine(2, '64 63 0:40 /\\x/y / rw - tmpfs x rw'), 2, 'bad-escape', /in root/],
    ['an incomplete escape at the end of a field', withLine(4, '66 63 0:40 / /a rw - tmpfs src\\04 rw'), 4, 'bad-escape', /incomplete octal escape "\\04" in source/],
    ['a non-numeric mount id', withLine(1, 'x3 43 0:39 / /m rw - tmpfs x rw'), 1, 'bad-number', /bad mount id "x3"/],
    ['a negative parent id', withLine(2, '64 -1 0:40 / /m rw - tmpfs x rw'), 2, 'bad-number', /bad parent id "-1"/],
    ['a number with a leading zero', withLine(2, '064 63 0:40 / /m rw - tmpfs x rw'), 2, 'bad-number', /mount id "064"/],
    ['an id beyond %i', withLine(2, '2147483648 63 0:40 / /m rw - tmpfs x rw'), 2, 'bad-number', /mount id/],
    ['a bad major', withLine(2, '64 63 a:40 / /m rw - tmpfs x rw'), 2, 'bad-number', /bad major "a"/],
    ['a device without a colon', withLine(2, '64 63 40 / /m rw - tmpfs x rw'), 2, 'bad-number', /bad major "40"/],
    ['a non-numeric peer group', withLine(2, '64 63 0:40 / /m rw shared:one - tmpfs x rw'), 2, 'bad-number', /bad shared group id "one"/],
    ['an empty master group', withLine(2, '64 63 0:40 / /m rw master: - tmpfs x rw'), 2, 'bad-number', /master group id/],
    ['a repeated optional field', withLine(2, '64 63 0:40 / /m rw shared:1 shared:2 - tmpfs x rw'), 2, 'bad-optional-field', /shared appears twice/],
    ['a duplicate mount id', withLine(4, good[1]!), 4, 'duplicate-id', /duplicate mount id 64 \(first on line 2\)/],
  ];

  it.each(cases)('%s', (_name, text, line, problem, reason) => {
    const error = parseError(text);
    expect({ line: error.line, problem: error.problem }).toEqual({ line, problem });
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(new RegExp(`^mountinfo line ${line}: `));
  });

  it('every malformed case is rejected while the good lines parse', () => {
    expect(parse(good.join('\n') + '\n')).toHaveLength(4);
  });
});
