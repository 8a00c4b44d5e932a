// render(): the kernel's escapes and field order, checked against kernel output and as the inverse
// of parse() on arbitrary entries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapePath, mangle, parse, render, renderLine, type MountInfo } from '../../src/mountinfo/index.js';
import { canUnshare, fixture, scratchMountinfo } from './helpers.js';

describe('render writes what the kernel writes', () => {
  it('each line of the escapes fixture, rendered from its parse', () => {
    const text = fixture('escapes-and-propagation.txt');
    const lines = text.split('\n').slice(0, -1);
    expect(parse(text).map(renderLine)).toEqual(lines);
  });

  it.skipIf(!canUnshare)('a namespace with every escaped character, "#" and stacked mounts', () => {
    const live = scratchMountinfo(
      'for n in "$@"; do mkdir -- "$n"; mount -t tmpfs -- "$n" "$n"; mount --make-shared -- "$n"; done\n' +
        'mount --bind -- "$1" "$2"; mount --make-slave -- "$2"; mount --make-shared -- "$2"\n' +
        'mount -t tmpfs -o size=4k,mode=1777 again "$1"; mount --make-unbindable "$3"',
      ['a b', 'c\td', 'e\nf', 'g\\h', 'i#j'],
    );
    expect(render(parse(live.text))).toBe(live.text);
    expect(live.text).toMatch(/ shared:\d+ master:\d+ - /);
  });

  it('escapes the fs type and the source with "#", paths without', () => {
    expect(escapePath('/a b\tc\nd\\e#f')).toBe('/a\\040b\\011c\\012d\\134e#f');
    expect(mangle('a b\tc\nd\\e#f')).toBe('a\\040b\\011c\\012d\\134e\\043f');
  });

  it('writes the optional fields in show_mountinfo() order whatever order they were set in', () => {
    const e: MountInfo = {
      id: 7, parentId: 1, major: 0, minor: 50, root: '/', mountPoint: '/m', mountOptions: 'rw',
      unbindable: false, otherOptional: ['future:1'], fsType: 'tmpfs', source: 's', superOptions: 'rw',
    };
    e.propagateFrom = 3;
    e.master = 2;
    e.shared = 4;
    expect(renderLine(e)).toBe('7 1 0:50 / /m rw shared:4 master:2 propagate_from:3 future:1 - tmpfs s rw');
  });
});

/** Arbitrary text rich in the characters the kernel escapes. */
const tricky = (minLength: number) =>
  fc.string({
    minLength,
    unit: fc.oneof(fc.constantFrom(' ', '\t', '\n', '\\', '#', '-', ':', '0', '7', '\u00e9', '\u2028'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  });
/** An options field: non-empty, no space or newline. */
const options = fc.stringMatching(/^(rw|ro)(,[a-z_]+(=[a-z0-9]+)?){0,3}$/);
const groupId = fc.option(fc.integer({ min: 1, max: 0x7fffffff }), { nil: undefined });

/** Arbitrary entries that parse() must read back unchanged. */
const entry: fc.Arbitrary<MountInfo> = fc
  .record({
    id: fc.integer({ min: 0, max: 0x7fffffff }),
    parentId: fc.integer({ min: 0, max: 0x7fffffff }),
    major: fc.integer({ min: 0, max: 0xffffffff }),
    minor: fc.integer({ min: 0, max: 0xffffffff }),
    root: tricky(1),
    mountPoint: tricky(1),
    mountOptions: options,
    shared: groupId,
    master: groupId,
    propagateFrom: groupId,
    unbindable: fc.boolean(),
    otherOptional: fc.array(fc.stringMatching(/^[a-z]+(:[0-9]+)?$/).filter((f) => !/^(shared|master|propagate_from)(:|$)|^unbindable$/.test(f))),
    fsType: tricky(1),
    source: tricky(0),
    superOptions: options,
  })
  .map((e) => {
    const clean: MountInfo = { ...e };
    for (const key of ['shared', 'master', 'propagateFrom'] as const) if (clean[key] === undefined) delete clean[key];
    return clean;
  });

describe('parse is the inverse of render', () => {
  it('parse(render(entries)) equals entries, for arbitrary fields full of escapable characters', () => {
    const entries = fc.uniqueArray(entry, { minLength: 1, maxLength: 8, selector: (e) => e.id });
    fc.assert(
      fc.property(entries, (es) => {
        expect(parse(render(es))).toStrictEqual(es);
      }),
      { numRuns: 300 },
    );
  });
});
