// normalize() on real namespaces: each is built by a child under unshare, on its own scratch tmpfs,
// so ids, group ids, devices and the scratch path all differ between two builds.
import { describe, expect, it } from 'vitest';
import { diffMountinfo, normalize, parse, render, type NormalizeOptions } from '../../src/mountinfo/index.js';
import { canUnshare, scratchMountinfo } from './helpers.js';

/** The normalized mountinfo text of a namespace built by `script`, seen from its scratch directory. */
function built(script: string, options: Omit<NormalizeOptions, 'under'> = {}, subdirectory = ''): string {
  const live = scratchMountinfo(script);
  return render(normalize(parse(live.text), { ...options, under: live.dir + subdirectory }));
}

// Shared groups, a slave, propagation into peers and slave, a bind of a subdirectory, mounts
// stacked on one mount point, an unbindable mount.
const topology = `
mkdir a b c d u
mount -t tmpfs A a
mount --make-shared a
mkdir a/x a/y
mount --bind a b
mount --bind a c
mount --make-slave c
mount -t tmpfs X a/x
mount --bind a/y d
mount -t tmpfs S1 d
mount -t tmpfs S2 d
mount -t tmpfs U u
mount --make-unbindable u
`;

describe.skipIf(!canUnshare)('normalize: namespaces built the same way compare equal', () => {
  it('two separate builds of one topology: raw texts differ, normalized ones are equal', () => {
    const first = scratchMountinfo(topology);
    const second = scratchMountinfo(topology);
    expect(first.dir).not.toBe(second.dir);
    const a = normalize(parse(first.text), { under: first.dir });
    const b = normalize(parse(second.text), { under: second.dir });
    expect(diffMountinfo(a, b)).toBeUndefined();
  });

  it('keeps exactly the mounts at or under the directory, relative to it', () => {
    const live = scratchMountinfo(topology);
    const raw = parse(live.text);
    const kept = normalize(raw, { under: `${live.dir}/` });
    expect(kept).toHaveLength(raw.filter((e) => e.mountPoint === live.dir || e.mountPoint.startsWith(`${live.dir}/`)).length);
    expect(kept[0]!.mountPoint).toBe('/');
    expect(kept.map((e) => e.mountPoint)).toContain('/c/x');
    expect(kept.every((e) => e.mountPoint.startsWith('/'))).toBe(true);
  });

  it('numbers mounts, peer groups and devices from 1 in order of first appearance', () => {
    const kept = normalize(parse(scratchMountinfo(topology).text), { under: '/' });
    expect(kept[0]!.id).toBe(1);
    expect(kept.slice(1).every((e, i) => e.id <= i + 3)).toBe(true);
    const groups = kept.flatMap((e) => [e.shared, e.master].filter((g) => g !== undefined));
    expect(groups.length).toBeGreaterThan(0);
    expect(Math.min(...groups)).toBe(1);
    expect(kept.every((e) => e.major === 0)).toBe(true);
  });

  it("order 'tree' makes two creation orders of one topology equal; 'kernel' does not", () => {
    const ab = 'mkdir a b; mount -t tmpfs A a; mount -t tmpfs B b; mount --make-shared b';
    const ba = 'mkdir a b; mount -t tmpfs B b; mount --make-shared b; mount -t tmpfs A a';
    expect(diffMountinfo(built(ab), built(ba))).toMatch(/line 2/);
    expect(diffMountinfo(built(ab, { order: 'tree' }), built(ba, { order: 'tree' }))).toBeUndefined();
  });
});

describe.skipIf(!canUnshare)('normalize: different topologies never compare equal', () => {
  // In the first three pairs the raw mountinfo differs only in numbers that normalize renumbers.
  const pairs: [string, string, string][] = [
    [
      'one peer group vs two (only shared:N differs)',
      'mkdir p q; mount -t tmpfs T p; mount --make-shared p; mount --bind p q',
      'mkdir p q; mount -t tmpfs T p; mount --bind p q; mount --make-shared p; mount --make-shared q',
    ],
    [
      'slaves of one master vs of two (master:N differs)',
      'mkdir p q r s; mount -t tmpfs T p; mount --make-shared p; mount --bind p q; ' +
        'mount --bind p r; mount --make-slave r; mount --bind q s; mount --make-slave s',
      'mkdir p q r s; mount -t tmpfs T p; mount --bind p q; mount --make-shared p; mount --make-shared q; ' +
        'mount --bind p r; mount --make-slave r; mount --bind q s; mount --make-slave s',
    ],
    [
      'one superblock vs two (only the minor differs)',
      'mkdir p q; mount -t tmpfs T p; mount --bind p q',
      'mkdir p q; mount -t tmpfs T p; mount -t tmpfs T q',
    ],
    [
      'a slave vs a private copy',
      'mkdir p q; mount -t tmpfs T p; mount --make-shared p; mount --bind p q; mount --make-slave q',
      'mkdir p q; mount -t tmpfs T p; mount --make-shared p; mount --bind p q; mount --make-private q',
    ],
  ];

  it.each(pairs)('%s', (_name, one, other) => {
    const a = built(one);
    const b = built(other);
    expect(diffMountinfo(a, b)).toBeDefined();
    expect(diffMountinfo(a, built(one))).toBeUndefined();
  });

  it('slaves of one master vs of two, the masters out of view (only master:N differs)', () => {
    const masters = 'mkdir -p m/p m/q v/r v/s; mount -t tmpfs T m/p; mount --bind m/p m/q; ';
    const slaves = 'mount --bind m/p v/r; mount --make-slave v/r; mount --bind m/q v/s; mount --make-slave v/s';
    const twoMasters = built(masters + 'mount --make-shared m/p; mount --make-shared m/q; ' + slaves, {}, '/v');
    const oneMaster = built(masters.replace('mount --bind m/p m/q; ', '') + 'mount --make-shared m/p; mount --bind m/p m/q; ' + slaves, {}, '/v');
    expect(twoMasters).toMatch(/^1 2 0:1 \/ \/r rw,relatime master:1 - tmpfs T rw\n3 2 0:1 \/ \/s rw,relatime master:2 - tmpfs T rw\n$/);
    expect(diffMountinfo(twoMasters, oneMaster)).toMatch(/line 2[^]*master:2[^]*master:1/);
  });

  it("order 'tree' keeps a mount on /p/y whose parent is the mount on /p apart from one on the dir below it", () => {
    const onTop = 'mkdir -p p/y; mount -t tmpfs A p; mkdir p/y; mount -t tmpfs B p/y';
    const beneath = 'mkdir -p p/y; mount -t tmpfs B p/y; mount -t tmpfs A p; mkdir p/y';
    const a = built(onTop, { order: 'tree' });
    const b = built(beneath, { order: 'tree' });
    expect(a.replace(/^(\d+) (\d+)/gm, 'I P')).toBe(b.replace(/^(\d+) (\d+)/gm, 'I P'));
    expect(diffMountinfo(a, b)).toMatch(/line 3/);
  });
});

describe.skipIf(!canUnshare)('normalize: options that legitimately differ', () => {
  const small = 'mkdir t; mount -t tmpfs -o size=1m T t';
  const large = 'mkdir t; mount -t tmpfs -o size=2m T t';

  it('superblock options are kept by default, so a different tmpfs size differs', () => {
    expect(diffMountinfo(built(small), built(large))).toMatch(/size=1024k[^]*size=2048k/);
  });

  it("superOptions { drop: ['size'] } and 'rw' make them equal", () => {
    expect(diffMountinfo(built(small, { superOptions: { drop: ['size'] } }), built(large, { superOptions: { drop: ['size'] } }))).toBeUndefined();
    expect(diffMountinfo(built(small, { superOptions: 'rw' }), built(large, { superOptions: 'rw' }))).toBeUndefined();
  });

  it("dropping 'size' keeps the other options and the leading rw", () => {
    expect(built('mkdir t; mount -t tmpfs -o size=1m,mode=700 T t', { superOptions: { drop: ['size'] } })).toMatch(/ - tmpfs T rw,mode=700\n$/);
  });

  it("mountOptions 'rw' ignores noatime vs relatime, and keeps ro vs rw apart", () => {
    const relatime = built('mkdir t; mount -t tmpfs T t', { mountOptions: 'rw' });
    expect(built('mkdir t; mount -t tmpfs -o noatime T t', { mountOptions: 'rw' })).toBe(relatime);
    expect(built('mkdir t; mount -t tmpfs -o ro T t', { mountOptions: 'rw' })).not.toBe(relatime);
    expect(built('mkdir t; mount -t tmpfs -o noatime T t')).not.toBe(built('mkdir t; mount -t tmpfs T t'));
  });
});

describe('diffMountinfo', () => {
  const a = '1 0 0:1 / / rw - tmpfs a rw\n2 1 0:2 / /x rw shared:1 - tmpfs x rw\n';
  const b = '1 0 0:1 / / rw - tmpfs a rw\n2 1 0:2 / /x rw shared:2 - tmpfs x rw\n';

  it('names the first differing line, shows both sides, and points at the first differing character', () => {
    const message = diffMountinfo(a, b)!;
    const lines = message.split('\n');
    expect(lines[0]).toBe('mountinfo differs at line 2 (expected 2 lines, actual 2):');
    expect(lines[1]).toBe('  expected: 2 1 0:2 / /x rw shared:1 - tmpfs x rw');
    expect(lines[2]).toBe('  actual:   2 1 0:2 / /x rw shared:2 - tmpfs x rw');
    expect(lines[3]!.indexOf('^')).toBe(lines[1]!.indexOf('shared:1') + 'shared:'.length);
  });

  it('reports a missing line on either side', () => {
    expect(diffMountinfo(a, a.split('\n')[0] + '\n')).toMatch(/line 2 \(expected 2 lines, actual 1\)[^]*actual: {3}\(no line\)/);
  });

  it('compares entries and text alike, and is undefined when equal', () => {
    expect(diffMountinfo(parse(a), a)).toBeUndefined();
  });
});
