// Questions about mounts of files (a runtime binds /etc/hosts, masks /proc/keys with /dev/null),
// each answered by the kernel and checked against the model: a file is mounted only on a file and a
// directory only on a directory, touch makes an empty file or leaves a non-directory, a file is no
// directory to look through, and a file mount propagates like any other.
import { describe } from 'vitest';
import { kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { agreementSuite, script } from './support/agree.js';

describe.skipIf(kernelAnswersUnavailable('files'))(kernelAnswersSuite('mounts of files on the kernel and the model', 'files'), () => {
  const agrees = agreementSuite('files');

  agrees(
    'is a file bound onto a file, and a directory or a new filesystem refused on a file, a file on a directory (ENOTDIR)?',
    script('mkdir d e', 'touch f g', 'mount --bind f g', 'mount --bind d f', 'mount --bind f e', 'mount -t tmpfs t f', 'mount --bind g g'),
    { fails: { 4: 'ENOTDIR', 5: 'ENOTDIR', 6: 'ENOTDIR' } },
  );

  agrees(
    'does touch leave a file as it is and refuse a directory, and is a file no directory to look through?',
    script('touch f', 'touch f', 'mkdir d', 'touch d', 'mkdir f/x', 'touch f/x', 'mkdir -p f', 'mkdir -p f/x', 'touch missing/x'),
    { fails: { 4: 'EEXIST', 5: 'ENOTDIR', 6: 'ENOTDIR', 7: 'EEXIST', 8: 'ENOTDIR', 9: 'ENOENT' } },
  );

  agrees(
    'is a new file refused on a read-only mount (EROFS), and an existing one left alone there?',
    script('mkdir r', 'mount -t tmpfs t r', 'touch r/f', 'mount -o remount,bind,ro r', 'touch r/g', 'touch r/f'),
    { fails: { 5: 'EROFS' } },
  );

  agrees(
    "does a file mounted on a file of a shared mount show up on the same file of its peers, and does a slave's copy stack?",
    script('mkdir a b c', 'mount -t tmpfs t a', 'touch a/f g h', 'mount --make-shared a', 'mount --bind a b', 'mount --bind a c', 'mount --make-slave c', 'mount --bind g a/f', 'mount --bind h b/f'),
  );

  agrees(
    'is a file mount moved only onto a file (EINVAL onto a directory), and can it be made shared and joined by set-group?',
    script('mkdir d', 'touch f g h', 'mount --bind f g', 'mount --move g d', 'mount --move g h', 'mount --bind h f', 'mount --make-private f', 'mount --make-shared h', 'mount --set-group h f'),
    { fails: { 4: 'EINVAL' } },
  );
});
