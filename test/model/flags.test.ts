// Questions about per-mount flags (read-only, nosuid, nodev, noexec, the atime mode, nosymfollow),
// each answered by the kernel and checked against the model: how mount(2) turns -o words into a
// mount's flags, what binds, rbinds, moves and propagated copies carry, what a bind remount
// changes (one mount, nothing else) and what it keeps, how mount(8)'s DIR-alone form starts from
// mountinfo, and how a read-only mount and a read-only superblock differ for mkdir.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { normalize, parse, render } from '../../src/mountinfo/index.js';
import { scratchMountinfo } from '../mountinfo/helpers.js';
import { kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { kernelUnavailable } from '../support/kernel.js';
import { agreementSuite, script } from './support/agree.js';

/** Field 6 (per-mount options) of the normalized lines whose mount point is `path`, bottom of the stack first. */
function optionsAt(mountinfo: string, path: string): string[] {
  return mountinfo.split('\n').filter((line) => line.split(' ')[4] === path).map((line) => line.split(' ')[5]!);
}

/** Field 11 (superblock options) of the lines at `path`. */
function superOptionsAt(mountinfo: string, path: string): string[] {
  return mountinfo.split('\n').filter((line) => line.split(' ')[4] === path).map((line) => line.split(' - ')[1]!.split(' ')[2]!);
}

describe.skipIf(kernelAnswersUnavailable('flags'))(kernelAnswersSuite('per-mount flags on the kernel and the model', 'flags'), () => {
  const agrees = agreementSuite('flags');

  agrees(
    'does a new mount default to relatime, and does mountinfo list the flags in show_vfsmnt_opts() order whatever order -o names them in?',
    script('mkdir A B', 'mount -t tmpfs a A', 'mount -t tmpfs -o nosymfollow,nodiratime,noatime,noexec,nodev,nosuid b B'),
    {
      also: (kernel) => {
        expect(optionsAt(kernel.mountinfo, '/A')).toEqual(['rw,relatime']);
        expect(optionsAt(kernel.mountinfo, '/B')).toEqual(['rw,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow']);
      },
    },
  );

  agrees(
    'does strictatime clear relatime and noatime, does noatime win over relatime, and does nodiratime keep the default relatime?',
    script('mkdir A B C D', 'mount -t tmpfs -o strictatime,noatime a A', 'mount -t tmpfs -o noatime,relatime b B', 'mount -t tmpfs -o nodiratime c C', 'mount -t tmpfs -o strictatime,nodiratime d D'),
    {
      also: (kernel) => {
        expect(['/A', '/B', '/C', '/D'].flatMap((path) => optionsAt(kernel.mountinfo, path))).toEqual(['rw', 'rw,noatime', 'rw,nodiratime,relatime', 'rw,nodiratime']);
      },
    },
  );

  agrees(
    'does -o ro make both the mount and its superblock read-only, does a later rw undo it, and does "defaults" clear nothing?',
    script('mkdir A B C', 'mount -t tmpfs -o ro a A', 'mount -t tmpfs -o mode=700,ro,rw b B', 'mount -t tmpfs -o nosuid,defaults c C', 'mkdir A/x', 'mkdir B/x'),
    {
      fails: { 5: 'EROFS' },
      also: (kernel) => {
        expect([...optionsAt(kernel.mountinfo, '/A'), ...superOptionsAt(kernel.mountinfo, '/A')]).toEqual(['ro,relatime', 'ro']);
        expect([...optionsAt(kernel.mountinfo, '/B'), ...superOptionsAt(kernel.mountinfo, '/B')]).toEqual(['rw,relatime', 'rw,mode=700']);
        expect(optionsAt(kernel.mountinfo, '/C')).toEqual(['rw,nosuid,relatime']);
      },
    },
  );

  agrees(
    'do a bind, an rbind and a move keep the flags of the mounts they copy or move, submounts included?',
    script(
      'mkdir A B C D',
      'mount -t tmpfs -o nosuid,noatime a A',
      'mkdir A/sub',
      'mount -t tmpfs -o ro,noexec s A/sub',
      'mount -t tmpfs -o nodev d D',
      'mount --bind A B',
      'mount --rbind A D',
      'mkdir C/E',
      'mount --move D C/E',
    ),
    {
      also: (kernel) => {
        expect(optionsAt(kernel.mountinfo, '/B')).toEqual(['rw,nosuid,noatime']);
        expect(optionsAt(kernel.mountinfo, '/C/E')).toEqual(['rw,nosuid,noatime']);
        expect(optionsAt(kernel.mountinfo, '/C/E/sub')).toEqual(['ro,noexec,relatime']);
      },
    },
  );

  agrees(
    'does a propagated copy carry the flags of the mount being propagated, not those of the peer or slave it lands in?',
    script(
      'mkdir A B C',
      'mount -t tmpfs -o nodev a A',
      'mount --make-shared A',
      'mount --bind A B',
      'mount -o remount,bind,ro,noexec B',
      'mount --bind A C',
      'mount --make-slave C',
      'mount -o remount,bind,nosymfollow C',
      'mkdir A/x',
      'mount -t tmpfs -o nosuid,strictatime x A/x',
    ),
    {
      also: (kernel) => {
        expect(['/A/x', '/B/x', '/C/x'].flatMap((path) => optionsAt(kernel.mountinfo, path))).toEqual(['rw,nosuid', 'rw,nosuid', 'rw,nosuid']);
        expect(optionsAt(kernel.mountinfo, '/B')).toEqual(['ro,nodev,noexec,relatime']);
      },
    },
  );

  agrees(
    'does a bind remount change only its mount: not its peers, its slaves, its children or its superblock?',
    script(
      'mkdir A B C',
      'mount -t tmpfs a A',
      'mount --make-shared A',
      'mount --bind A B',
      'mount --bind A C',
      'mount --make-slave C',
      'mkdir A/x',
      'mount -t tmpfs x A/x',
      'mount -o remount,bind,ro,nosuid,noatime A',
    ),
    {
      also: (kernel) => {
        expect(optionsAt(kernel.mountinfo, '/A')).toEqual(['ro,nosuid,noatime']);
        expect(['/B', '/C', '/A/x', '/B/x'].flatMap((path) => optionsAt(kernel.mountinfo, path))).toEqual(['rw,relatime', 'rw,relatime', 'rw,relatime', 'rw,relatime']);
        expect(superOptionsAt(kernel.mountinfo, '/A')).toEqual(['rw']);
      },
    },
  );

  agrees(
    'is mkdir through a read-only mount EROFS while the same directory can be made through a writable mount of its superblock, and seen through both?',
    script('mkdir A B', 'mount -t tmpfs a A', 'mount --bind A B', 'mount -o remount,bind,ro B', 'mkdir B/x', 'mkdir A/x', 'mount -t tmpfs seen B/x', 'mkdir -p B/y/z'),
    { fails: { 5: 'EROFS', 8: 'ENOENT' } },
  );

  agrees(
    'does a bind remount back to rw of a mount of a read-only superblock show rw while mkdir through it stays EROFS?',
    script('mkdir A', 'mount -t tmpfs -o ro a A', 'mount -o remount,bind,rw none A', 'mkdir A/x'),
    {
      fails: { 4: 'EROFS' },
      also: (kernel) => expect([...optionsAt(kernel.mountinfo, '/A'), ...superOptionsAt(kernel.mountinfo, '/A')]).toEqual(['rw,relatime', 'ro']),
    },
  );

  agrees(
    'does a bind remount with SOURCE DIR set exactly the flags it names, clearing the rest but keeping the atime flags when it names none?',
    script('mkdir A B', 'mount -t tmpfs -o ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow a A', 'mount --bind A B', 'mount -o remount,bind,nodev none A', 'mount -o remount,bind none B'),
    {
      also: (kernel) => {
        expect(optionsAt(kernel.mountinfo, '/A')).toEqual(['rw,nodev,noatime,nodiratime']);
        expect(optionsAt(kernel.mountinfo, '/B')).toEqual(['rw,noatime,nodiratime']);
      },
    },
  );

  agrees(
    'does a bind remount that names one atime flag replace the whole atime mode: nodiratime alone turning noatime into relatime, strictatime clearing both?',
    script(
      'mkdir A B C',
      'mount -t tmpfs -o noatime a A',
      'mount --bind A B',
      'mount --bind A C',
      'mount -o remount,bind,nodiratime none A',
      'mount -o remount,bind,strictatime none B',
      'mount -o remount,bind,relatime none C',
      'mount -o remount,bind,nosuid none B',
    ),
    {
      also: (kernel) => {
        expect(['/A', '/B', '/C'].flatMap((path) => optionsAt(kernel.mountinfo, path))).toEqual(['rw,nodiratime,relatime', 'rw,nosuid', 'rw,relatime']);
      },
    },
  );

  agrees(
    "does mount -o remount,bind,FLAGS DIR add FLAGS to the mount's own, as mount(8) reads them from mountinfo, and do negations clear them?",
    script('mkdir A', 'mount -t tmpfs -o nosuid,nodev,noatime a A', 'mount -o remount,bind,ro A', 'mount -o bind,remount,rw,suid,relatime A', 'mount -o remount,bind,atime A'),
    { also: (kernel) => expect(optionsAt(kernel.mountinfo, '/A')).toEqual(['rw,nodev,noatime']) },
  );

  agrees(
    "does mount -o remount,bind,FLAGS DIR on a writable mount of a read-only superblock make it read-only, as mount(8) merging the superblock's ro does?",
    script('mkdir A', 'mount -t tmpfs -o ro a A', 'mount -o remount,bind,rw none A', 'mount -o remount,bind,nosuid A'),
    { also: (kernel) => expect(optionsAt(kernel.mountinfo, '/A')).toEqual(['ro,nosuid,relatime']) },
  );

  agrees(
    "does mount -o remount,bind,FLAGS DIR start from the last mountinfo line at DIR, even a copy tucked under the mount the kernel changes, as mount(8) does?",
    script(
      'mkdir A B',
      'mount -t tmpfs a A',
      'mount --make-shared A',
      'mount --bind A B',
      'mkdir A/x',
      'mount --make-private B',
      'mount -t tmpfs -o nosuid top B/x',
      'mount --set-group A B',
      'mount -t tmpfs -o noexec copied A/x',
      'mount -o remount,bind,nodev B/x',
    ),
    {
      also: (kernel) => {
        // in mountinfo's order: the mount on top (older, changed by the remount), then the copy tucked under it
        expect(optionsAt(kernel.mountinfo, '/B/x')).toEqual(['rw,nodev,noexec,relatime', 'rw,noexec,relatime']);
      },
    },
  );

  agrees(
    'is a bind remount of a directory that is not a mount root EINVAL, of a missing one ENOENT, and refused alike in both forms?',
    script('mkdir A', 'mount -t tmpfs a A', 'mkdir A/sub', 'mount -o remount,bind,ro A/sub', 'mount -o remount,bind,ro none A/sub', 'mount -o remount,bind,ro A/missing', 'mkdir A/sub/ok'),
    { fails: { 4: 'EINVAL', 5: 'EINVAL', 6: 'ENOENT' } },
  );
});

/**
 * mount(8) of util-linux 2.38 (Debian 12), whose -o the language follows: later versions set flags
 * through mount_setattr(2), where a bind remount with SOURCE DIR no longer clears what it does not name.
 */
const mount238 = /libmount 2\.38\./.test(spawnSync('mount', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const whyNotMount238 = kernelUnavailable ?? (mount238 ? undefined : 'mount(8) is not util-linux 2.38');

/** A normalized mountinfo without its first line (the scenario's own tmpfs, whose source differs between the two runs). */
const belowTheScenarioMount = (mountinfo: string): string => mountinfo.slice(mountinfo.indexOf('\n') + 1);

describe.skipIf(whyNotMount238)(`the scenario language's -o and mount(8)'s${whyNotMount238 ? ` [skipped: ${whyNotMount238}]` : ''}`, () => {
  const agrees = agreementSuite('flags-mount8');
  const cases: Record<string, string[]> = {
    'new mounts with per-mount flags, their negations and filesystem data': [
      'mkdir A B C',
      'mount -t tmpfs -o nosuid,suid,nodev,ro,rw,noatime,relatime,mode=700 a A',
      'mount -t tmpfs -o strictatime,nodiratime,noexec,nosymfollow,defaults,mode=755 b B',
      'mount -t tmpfs -o ro c C',
    ],
    'bind remounts of DIR alone, which start from mountinfo (the superblock read-only included)': [
      'mkdir A B C',
      'mount -t tmpfs -o nosuid,nodev,noatime a A',
      'mount --bind A B',
      'mount -o remount,bind,ro B',
      'mount -o bind,remount,rw,suid,relatime A',
      'mount -o remount,bind,atime,nodiratime A',
      'mount -t tmpfs -o ro c C',
      'mount -o remount,bind,rw none C',
      'mount -o remount,bind,noexec C',
    ],
    'bind remounts with SOURCE DIR, which set exactly what they name': [
      'mkdir A B',
      'mount -t tmpfs -o nosuid,nodev,noexec,noatime a A',
      'mount --bind A B',
      'mount -o remount,bind,ro none B',
      'mount -o remount,bind,nodiratime none A',
    ],
  };
  for (const [what, lines] of Object.entries(cases)) {
    const agreement = agrees(`do ${what} agree on the kernel and the model?`, script(...lines));
    it(`do ${what} give the mounts mount(8) gives?`, () => {
      const live = scratchMountinfo(lines.join('\n'));
      const byMount8 = render(normalize(parse(live.text), { under: live.dir }));
      expect(belowTheScenarioMount(agreement.kernel().mountinfo)).toBe(belowTheScenarioMount(byMount8));
    });
  }
});
