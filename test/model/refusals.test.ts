// Which operations the kernel refuses, with which errno, and whether the model refuses them the
// same way, names the broken rule in `reason`, and leaves itself byte-identical (runOnModel checks
// the rendered mountinfo around every failed line).
import { describe, expect } from 'vitest';
import { kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { kernelUnavailable } from '../support/kernel.js';
import { agreementSuite, script, type AgreeOptions } from './support/agree.js';
import type { ModelRun, Outcome } from './support/differential.js';

/** Expects the one failure of a scenario to carry a reason matching `pattern` on the model (and on a live kernel, when it names one). */
function reasonMatches(pattern: RegExp, options: { kernelToo?: boolean } = {}): NonNullable<AgreeOptions['also']> {
  return (kernel: Outcome, model: ModelRun) => {
    expect(model.failures).toHaveLength(1);
    expect(model.failures[0]!.reason).toMatch(pattern);
    if (options.kernelToo && !kernelUnavailable) expect(kernel.reasons[0]).toMatch(pattern);
  };
}

/** A shared tmpfs `a` with a subdirectory, and private binds of it at b and c. */
const base = ['mkdir a b c', 'mount -t tmpfs t a', 'mkdir a/sub', 'mount --bind a b', 'mount --bind a c', 'mount --make-shared a'];
const next = base.length + 1;

describe.skipIf(kernelAnswersUnavailable('refusals'))(kernelAnswersSuite('refusals on the kernel and the model', 'refusals'), () => {
  const agrees = agreementSuite('refusals');

  // set-group's ladder, in do_set_group()'s order; the kernel backend names the rule from mountinfo.
  agrees('set-group: is a source path inside a mount (not its root) refused?', script(...base, 'mount --set-group a/sub b'), {
    fails: { [next]: 'EINVAL' },
    also: reasonMatches(/^the source '.*\/a\/sub' is not the root of a mount \(it lies inside the mount at '.*\/a'\)/, { kernelToo: true }),
  });
  agrees('set-group: is a target path inside a mount refused?', script(...base, 'mkdir b/other', 'mount --set-group a b/other'), {
    fails: { [next + 1]: 'EINVAL' },
    also: reasonMatches(/^the target '.*\/b\/other' is not the root of a mount/, { kernelToo: true }),
  });
  agrees('set-group: are mounts of different superblocks refused?', script(...base, 'mkdir other', 'mount -t tmpfs other other', 'mount --set-group a other'), {
    fails: { [next + 2]: 'EINVAL' },
    also: reasonMatches(/^source and target are mounts of different filesystems \(device 0:\d+ and 0:\d+\)/, { kernelToo: true }),
  });
  agrees(
    "set-group: is a target whose root lies outside the source's root refused?",
    script(...base, 'mkdir narrow', 'mount --bind a/sub narrow', 'mount --make-shared narrow', 'mount --set-group narrow b'),
    {
      fails: { [next + 3]: 'EINVAL' },
      also: reasonMatches(/^the target's root '\/' is not inside the source's root '\/sub'/, { kernelToo: true }),
    },
  );
  agrees('set-group: is a shared target refused?', script(...base, 'mount --make-shared b', 'mount --set-group a b'), {
    fails: { [next + 1]: 'EINVAL' },
    also: reasonMatches(/^the target is already shared \(shared:\d+\)/, { kernelToo: true }),
  });
  agrees(
    'set-group: is a slave target refused?',
    script(...base, 'mount --bind a c', 'mount --make-slave c', 'mount --set-group a c'),
    { fails: { [next + 2]: 'EINVAL' }, also: reasonMatches(/^the target is already a slave \(master:\d+\)/, { kernelToo: true }) },
  );
  agrees(
    'set-group: is a shared slave target refused, naming both states?',
    script(...base, 'mount --bind a c', 'mount --make-slave c', 'mount --make-shared c', 'mount --set-group a c'),
    { fails: { [next + 3]: 'EINVAL' }, also: reasonMatches(/^the target is already shared \(shared:\d+\) and a slave \(master:\d+\)/, { kernelToo: true }) },
  );
  agrees('set-group: is a private source refused?', script(...base, 'mount --make-private a', 'mount --set-group a b'), {
    fails: { [next + 1]: 'EINVAL' },
    also: reasonMatches(/^the source is private/, { kernelToo: true }),
  });
  agrees('set-group: is the target checked before the source is? (a private source, a shared target: the target rule wins, and says the arguments look swapped)', script(...base, 'mount --make-private a', 'mount --make-shared b', 'mount --set-group a b'), {
    fails: { [next + 2]: 'EINVAL' },
    also: reasonMatches(/^the arguments look swapped: the target '.*\/b' is shared \(shared:\d+\) and the source '.*\/a' is private/, { kernelToo: true }),
  });
  agrees('set-group: is a missing target ENOENT?', script(...base, 'mount --set-group a nowhere'), {
    fails: { [next]: 'ENOENT' },
    also: reasonMatches(/'.*\/nowhere' does not exist/),
  });
  agrees('set-group: does an unbindable private target join a slave-only source and stay unbindable?', script(
    ...base,
    'mount --bind a c',
    'mount --make-slave c',
    'mkdir u',
    'mount --bind a u',
    'mount --make-unbindable u',
    'mount --set-group c u',
  ));
  agrees('set-group: does an unbindable private target of a shared source stop being unbindable?', script(
    ...base,
    'mount --make-unbindable b',
    'mount --set-group a b',
  ));

  agrees('bind: is a missing target reported before a missing source?', script('mount --bind nosource notarget'), {
    fails: { 1: 'ENOENT' },
    also: reasonMatches(/'.*\/notarget' does not exist/),
  });
  agrees('bind: is a missing source ENOENT?', script('mkdir t', 'mount --bind nosource t'), {
    fails: { 2: 'ENOENT' },
    also: reasonMatches(/'.*\/nosource' does not exist/),
  });
  agrees('rbind: is an unbindable source refused?', script(...base, 'mount --make-unbindable b', 'mkdir d', 'mount --rbind b d'), {
    fails: { [next + 2]: 'EINVAL' },
    also: reasonMatches(/unbindable/),
  });

  agrees('move: is a mount inside a shared parent refused?', script(...base, 'mkdir a/sub/x d', 'mount -t tmpfs x a/sub', 'mount --move a/sub d'), {
    fails: { [next + 2]: 'EINVAL' },
    also: reasonMatches(/parent mount '.*\/a' is shared/),
  });
  agrees('move: is a path that is not a mount point refused?', script(...base, 'mkdir d', 'mount --move b/sub d'), {
    fails: { [next + 1]: 'EINVAL' },
    also: reasonMatches(/is not a mount point/),
  });
  agrees('move: is a tree with an unbindable mount refused by a shared destination?', script(
    'mkdir src dst',
    'mount -t tmpfs src src',
    'mkdir src/u',
    'mount -t tmpfs u src/u',
    'mount --make-unbindable src/u',
    'mount -t tmpfs dst dst',
    'mount --make-shared dst',
    'mount --move src dst',
  ), { fails: { 8: 'EINVAL' }, also: reasonMatches(/unbindable/) });
  agrees('move: is a move under itself ELOOP?', script('mkdir m', 'mount -t tmpfs m m', 'mkdir m/in', 'mount --move m m/in'), {
    fails: { 4: 'ELOOP' },
    also: reasonMatches(/inside the mount being moved/),
  });
  agrees('move: is a move onto itself ELOOP?', script('mkdir m', 'mount -t tmpfs m m', 'mount --move m m'), { fails: { 3: 'ELOOP' } });
  agrees('move: is a move under a mount stacked on the source ELOOP?', script('mkdir m', 'mount -t tmpfs m m', 'mkdir m/in', 'mount -t tmpfs top m/in', 'mkdir m/in/deeper', 'mount --move m m/in/deeper'), {
    fails: { 6: 'ELOOP' },
  });

  agrees('umount: is a directory that is not a mount point refused?', script('mkdir d', 'umount d'), {
    fails: { 2: 'EINVAL' },
    also: reasonMatches(/is not a mount point/),
  });
  agrees('umount: is a mount with submounts busy?', script('mkdir m', 'mount -t tmpfs m m', 'mkdir m/x', 'mount -t tmpfs x m/x', 'umount m'), {
    fails: { 5: 'EBUSY' },
    also: reasonMatches(/has mounts on it/),
  });
  agrees('umount -l: does a mount with submounts go, with them?', script('mkdir m', 'mount -t tmpfs m m', 'mkdir m/x', 'mount -t tmpfs x m/x', 'umount -l m'));
  agrees('umount: is a missing path ENOENT?', script('umount nothing'), { fails: { 1: 'ENOENT' } });

  agrees('make-shared: is a directory that is not a mount point refused?', script('mkdir d', 'mount --make-shared d'), {
    fails: { 2: 'EINVAL' },
    also: reasonMatches(/is not a mount point/),
  });
  agrees('make-rslave: is a missing path ENOENT?', script('mount --make-rslave nothing'), { fails: { 1: 'ENOENT' } });

  agrees('mount: is an unknown filesystem type ENODEV?', script('mkdir d', 'mount -t nosuchfs x d'), {
    fails: { 2: 'ENODEV' },
    also: reasonMatches(/no filesystem type 'nosuchfs'/),
  });
  agrees('mount: is a missing mount point ENOENT?', script('mount -t tmpfs x nowhere'), { fails: { 1: 'ENOENT' } });

  agrees('mkdir: is an existing directory EEXIST, and a missing parent ENOENT?', script('mkdir d', 'mkdir d', 'mkdir e/f', 'mkdir -p d e/f'), {
    fails: { 2: 'EEXIST', 3: 'ENOENT' },
  });
  agrees('mkdir: is a mount point EEXIST?', script('mkdir d', 'mount -t tmpfs d d', 'mkdir d'), { fails: { 3: 'EEXIST' } });

  // PATH_MAX (4096 bytes with the NUL) and NAME_MAX (255): getname() and the filesystem's lookup refuse a
  // path or a name that does not fit (ENAMETOOLONG); mount(2) copies its source and type with
  // strndup_user(PATH_MAX) before any lookup, and one that does not fit is EINVAL.
  const longPath = `d/${'x/'.repeat(2100)}`;
  agrees(
    'PATH_MAX: is a path of 4096 bytes or more ENAMETOOLONG for every call that looks it up, and a mount source or type EINVAL?',
    script(
      'mkdir d e',
      `mkdir ${longPath}x`,
      `mkdir d/${'é/'.repeat(1400)}`,
      `mount -t tmpfs t ${longPath}`,
      `mount --bind ${longPath} e`,
      `mount --move ${longPath} e`,
      `mount -t ${'t'.repeat(4096)} t e`,
      `mount -t tmpfs ${'s'.repeat(4096)} e`,
      `mount --make-shared ${longPath}`,
      `mount --set-group ${longPath} e`,
      `umount ${longPath}`,
    ),
    { fails: { 2: 'ENAMETOOLONG', 3: 'ENAMETOOLONG', 4: 'ENAMETOOLONG', 5: 'EINVAL', 6: 'EINVAL', 7: 'EINVAL', 8: 'EINVAL', 9: 'ENAMETOOLONG', 10: 'ENAMETOOLONG', 11: 'ENAMETOOLONG' } },
  );
  agrees(
    'NAME_MAX: is a name of 256 bytes ENAMETOOLONG, where one of 255 is made, and one of 256 multibyte bytes refused too?',
    script(`mkdir ${'n'.repeat(255)}`, `mkdir ${'n'.repeat(256)}`, `mkdir -p ${'m'.repeat(256)}/x`, `mkdir ${'é'.repeat(128)}`, `mount -t tmpfs t ${'o'.repeat(256)}`, `mkdir ${'é'.repeat(127)}`),
    { fails: { 2: 'ENAMETOOLONG', 3: 'ENAMETOOLONG', 4: 'ENAMETOOLONG', 5: 'ENAMETOOLONG' } },
  );
});
