// Divergences the random differential scenarios found (test/differential), each kept as the minimal
// scenario the shrinker reported, run on the kernel and on the model: the kernel's outcome is the
// expected one, and the lines it refuses are stated. A scenario that only shows under one kernel's
// behaviour says which; on the other it still has to agree.
import { describe } from 'vitest';
import { kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { agreementSuite, script } from './support/agree.js';

describe.skipIf(kernelAnswersUnavailable('regressions'))(kernelAnswersSuite('divergences found by random scenarios, on the kernel and the model', 'regressions'), () => {
  const agrees = agreementSuite('regressions');

  // Found on 6.18: the model let mkdir create directories on a superblock mounted with "-o ro".
  agrees('is mkdir on a tmpfs mounted read-only refused with EROFS?', script('mkdir b', 'mount -t tmpfs -o ro t2 b', 'mkdir b/b'), { fails: { 3: 'EROFS' } });
  agrees(
    'does mkdir -p on a read-only tmpfs fail as Node reports it (ENOENT, from its stat after the refused mkdir)?',
    script('mkdir a', 'mount -t tmpfs -o ro t1 a', 'mkdir -p a/c/c', 'mkdir -p a'),
    { fails: { 3: 'ENOENT' } },
  );

  // Found with the 6.12 model (an invariant broke; 6.12's restore_mounts() slides two covers down
  // onto one mountpoint of one parent, and both stay hashed there). 6.18 keeps /b/c instead.
  agrees(
    'when umount -l takes the copies of an rbind of the whole tree, where do the covers of the copies that go end up?',
    script(
      'mkdir a',
      'mkdir b',
      'mount --bind a b',
      'mkdir b/c',
      'mount --bind b/c b',
      'umount b',
      'mount --make-shared b',
      'mount --bind a b/c',
      'mount --bind b/c a/c',
      'mkdir a/c/b',
      'mount --bind b/c a/c/b',
      'mount --rbind . a/c/b',
      'umount -l a/c/b',
    ),
  );

  // Found on 6.18: the model checked may_mount() before it looked the target up, as move_mount(2)
  // does; mount(2) (here --make-*) looks it up first, so a /proc path the caller may not enter is EACCES.
  agrees(
    'in a user namespace without its mount namespace, is --make-* through /proc of a more privileged process EACCES before it is EPERM?',
    script('mkdir c', 'unshare -U -m --propagation unchanged n2', 'nsenter -t n2 -U', 'mount --make-unbindable /proc/host/cwd/c', 'mount --make-unbindable c', 'exit'),
    { fails: { 4: 'EACCES', 5: 'EPERM' } },
  );

  // Found on 6.18: set-group opens both paths before the call (set-group/set-group.ts), so a caller
  // without may_mount() naming a missing path, or one it may not enter, hears ENOENT or EACCES first.
  agrees(
    'in a user namespace without its mount namespace, is set-group of a missing path ENOENT, of an unreachable one EACCES, and only then EPERM?',
    script('mkdir a', 'unshare -U n1', 'nsenter -t n1 -U', 'mount --set-group b a', 'mount --set-group /proc/host/cwd/a a', 'mount --set-group a a', 'exit'),
    { fails: { 4: 'ENOENT', 5: 'EACCES', 6: 'EPERM' } },
  );

  // Found on 6.18: nsenter(1) -U drops supplementary groups with setgroups(2) in the user namespace
  // it leaves and in the one it enters, and fails only when both deny it (unshare --map-root-user's).
  agrees(
    'from a user namespace unshare -r made, is nsenter -U into another such namespace refused (setgroups denied in both), and -m alone let in?',
    script('unshare -U n1', 'nsenter -t n1 -U', 'unshare -U -m --propagation unchanged n2', 'nsenter -t n2 -m -U', 'nsenter -t n2 -m', 'exit', 'exit'),
    { fails: { 4: 'EPERM' } },
  );
});
