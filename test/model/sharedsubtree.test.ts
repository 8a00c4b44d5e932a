// The worked examples of Documentation/filesystems/sharedsubtree.rst, each run on the kernel and on
// the model. Where the document mounts devices, the scenarios mount tmpfs; "/" becomes a tmpfs
// `root` (or the scenario's own tmpfs, "."), so that nothing leaves the scenario's directory.
import { describe, expect } from 'vitest';
import { kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { agreementSuite, script } from './support/agree.js';

/** Lines of normalized mountinfo whose mount point is `path` (relative to the scenario, "/x"). */
function at(mountinfo: string, path: string): string[] {
  return mountinfo.split('\n').filter((line) => line.split(' ')[4] === path);
}

describe.skipIf(kernelAnswersUnavailable('sharedsubtree'))(kernelAnswersSuite('sharedsubtree.rst on the kernel and the model', 'sharedsubtree'), () => {
  const agrees = agreementSuite('sharedsubtree');

  agrees(
    '2a: does a mount on a bind of a shared mount appear in the original too?',
    script('mkdir mnt tmp', 'mount -t tmpfs mnt mnt', 'mount --make-shared mnt', 'mount --bind mnt tmp', 'mkdir tmp/a', 'mount -t tmpfs sd0 tmp/a'),
    { also: (kernel) => expect(at(kernel.mountinfo, '/mnt/a')).toHaveLength(1) },
  );

  agrees(
    '2b: does a slave receive its master\'s mounts but keep its own to itself?',
    script(
      'mkdir mnt tmp',
      'mount -t tmpfs mnt mnt',
      'mount --make-shared mnt',
      'mount --bind mnt tmp',
      'mount --make-slave tmp',
      'mkdir mnt/a mnt/b',
      'mount -t tmpfs sd0 mnt/a',
      'mount -t tmpfs sd1 tmp/b',
    ),
    {
      also: (kernel) => {
        expect(at(kernel.mountinfo, '/tmp/a')).toHaveLength(1);
        expect(at(kernel.mountinfo, '/mnt/b')).toHaveLength(0);
      },
    },
  );

  agrees('2d: can an unbindable mount be bound elsewhere?', script('mkdir mnt tmp', 'mount -t tmpfs mnt mnt', 'mount --make-unbindable mnt', 'mount --bind mnt tmp'), {
    fails: { 4: 'EINVAL' },
  });

  agrees(
    '4a: does a CD mounted at a shared /cdrom reach a clone of it?',
    script('mkdir cdrom view', 'mount --bind cdrom cdrom', 'mount --make-shared cdrom', 'mount --bind cdrom view', 'mount -t tmpfs cd cdrom'),
  );

  agrees(
    '4b: what does a per-user slave tree see of mounts made in the shared tree and in itself?',
    script(
      'mkdir root',
      'mount -t tmpfs root root',
      'mkdir root/home root/private',
      'mount --make-rshared root',
      'mount -t tmpfs home root/home',
      'mkdir root/private/tree',
      'mount --rbind root root/private/tree',
      'mount --make-rslave root/private/tree',
      'mkdir root/home/user',
      'mount -t tmpfs user root/home/user',
      'mkdir root/private/tree/home/mine',
      'mount -t tmpfs mine root/private/tree/home/mine',
    ),
  );

  agrees(
    '4c: does a mount under a shared tree rbound at several views appear in every view?',
    script(
      'mkdir root',
      'mount -t tmpfs root root',
      'mkdir -p root/usr root/view/v1 root/view/v2 root/view/v3 root/view/v4',
      'mount --make-shared root',
      'mount --rbind root root/view/v1',
      'mount --rbind root root/view/v2',
      'mount --rbind root root/view/v3',
      'mount --rbind root root/view/v4',
      'mount -t tmpfs usr root/usr',
    ),
  );

  // 5b: mount --bind A/a B/b for every kind of A and of B.
  const bindSources = {
    shared: 'mount --make-shared A',
    private: 'mount --make-private A',
    slave: 'mount --make-shared Z\nmount --bind Z A\nmount --make-slave A',
    unbindable: 'mount --make-unbindable A',
  };
  const destinations = { shared: 'mount --make-shared B', 'non-shared': 'mount --make-slave B' };
  for (const [source, makeSource] of Object.entries(bindSources)) {
    for (const [dest, makeDest] of Object.entries(destinations)) {
      const lines = script(
        'mkdir A B Z',
        'mount -t tmpfs z Z',
        'mkdir Z/a',
        'mount -t tmpfs a A',
        'mkdir A/a',
        'mount -t tmpfs b B',
        'mkdir B/b B/peer',
        'mount --make-shared B',
        'mount --bind B B/peer',
        makeSource,
        makeDest,
        'mount --bind A/a B/b',
        'mkdir -p A/a/later Z/a/later',
        'mount -t tmpfs later A/a/later',
      );
      const bindLine = lines.split('\n').indexOf('mount --bind A/a B/b') + 1;
      agrees(`5b: what does binding a ${source} mount onto a ${dest} mount make?`, lines, {
        fails: source === 'unbindable' ? { [bindLine]: 'EINVAL' } : {},
      });
    }
  }

  agrees(
    '5c: is the tree under an unbindable mount pruned by rbind?',
    script(
      'mkdir A Z',
      'mount -t tmpfs a A',
      'mkdir A/B A/C',
      'mount -t tmpfs b A/B',
      'mount -t tmpfs c A/C',
      'mkdir A/B/D A/B/E A/C/F A/C/G',
      'mount -t tmpfs d A/B/D',
      'mount -t tmpfs e A/B/E',
      'mount -t tmpfs f A/C/F',
      'mount -t tmpfs g A/C/G',
      'mount --make-unbindable A/C',
      'mount --rbind A Z',
    ),
    { also: (kernel) => expect(at(kernel.mountinfo, '/Z/C')).toHaveLength(0) },
  );

  // 5d: mount --move A B/b for every kind of A and of B.
  const moveSources = {
    shared: 'mount --make-shared A',
    private: 'mount --make-private A',
    slave: 'mount --make-shared Z\nmount --bind Z A\nmount --make-slave A',
    unbindable: 'mount --make-unbindable A',
  };
  for (const [source, makeSource] of Object.entries(moveSources)) {
    for (const [dest, makeDest] of Object.entries(destinations)) {
      const lines = script(
        'mkdir A B Z',
        'mount -t tmpfs z Z',
        'mount -t tmpfs a A',
        'mkdir A/sub',
        'mount -t tmpfs sub A/sub',
        'mount -t tmpfs b B',
        'mkdir B/b B/peer',
        'mount --make-shared B',
        'mount --bind B B/peer',
        makeSource,
        makeDest,
        'mount --move A B/b',
      );
      const moveLine = lines.split('\n').indexOf('mount --move A B/b') + 1;
      agrees(`5d: what does moving a ${source} mount onto a ${dest} mount make?`, lines, {
        fails: source === 'unbindable' && dest === 'shared' ? { [moveLine]: 'EINVAL' } : {},
      });
    }
  }

  agrees(
    '5d: can a mount residing under a shared mount be moved?',
    script('mkdir P dest', 'mount -t tmpfs p P', 'mount --make-shared P', 'mkdir P/x', 'mount -t tmpfs x P/x', 'mount --move P/x dest'),
    { fails: { 6: 'EINVAL' } },
  );

  const umountBase = [
    'mkdir B1 B2 B3',
    'mount -t tmpfs b B1',
    'mkdir B1/b',
    'mount --make-shared B1',
    'mount --bind B1 B2',
    'mount --bind B1 B3',
    'mount -t tmpfs a B1/b',
    'mount -t tmpfs c B1/b',
  ];
  agrees('5f: does unmounting C1 take the most recent mount at b on every peer?', script(...umountBase, 'umount B1/b'), {
    also: (kernel) => expect(at(kernel.mountinfo, '/B2/b')).toHaveLength(1),
  });
  agrees(
    '5f: does a copy with a submount survive the umount of its original?',
    script(...umountBase, 'mount --make-private B2/b', 'mkdir B2/b/sub', 'mount -t tmpfs own B2/b/sub', 'umount B1/b'),
    { also: (kernel) => expect(at(kernel.mountinfo, '/B2/b')).toHaveLength(2) },
  );
  agrees(
    '5f: does a C1 with submounts fail the whole umount?',
    script(...umountBase, 'mkdir B1/b/sub', 'mount -t tmpfs sub B1/b/sub', 'umount B1/b'),
    { fails: { 11: 'EBUSY' } },
  );

  agrees(
    'quiz A: what do a shared mount and its bind moved under it contain?',
    script('mkdir mnt tmp', 'mount --bind mnt mnt', 'mount --make-shared mnt', 'mount --bind mnt tmp', 'mkdir mnt/1', 'mount --move tmp mnt/1'),
  );

  agrees(
    'quiz B: what is under /v/1/v/1 after rbinding an rshared root into itself?',
    script('mkdir root', 'mount -t tmpfs root root', 'mount --make-rshared root', 'mkdir -p root/v/1', 'mount --rbind root root/v/1'),
  );

  agrees(
    'quiz C: does a bind on A reach B and C down a chain of slaves, and what is at /mnt/1/test?',
    script(
      'mkdir mnt tmp tmp1 bin',
      'mount -t tmpfs bin bin',
      'mount -t tmpfs mnt mnt',
      'mount --bind mnt mnt',
      'mount --make-shared mnt',
      'mkdir -p mnt/1/2/3 mnt/1/test',
      'mount --bind mnt/1 tmp',
      'mount --make-slave mnt',
      'mount --make-shared mnt',
      'mount --bind mnt/1/2 tmp1',
      'mount --make-slave mnt',
      'mount --bind bin tmp/test',
    ),
  );

  agrees(
    'FAQ Q3: how many mounts do two rbinds of a shared tree into itself make, and how many with unbindable targets?',
    script(
      'mkdir root',
      'mount -t tmpfs root root',
      'mkdir -p root/tmp root/usr',
      'mount --make-shared root',
      'mkdir -p root/tmp/m1',
      'mount --rbind root root/tmp/m1',
      'mkdir -p root/tmp/m2',
      'mount --rbind root root/tmp/m2',
      'mkdir -p root/tmp/u1 root/tmp/u2',
      'mount --bind root/tmp/u1 root/tmp/u1',
      'mount --make-unbindable root/tmp/u1',
      'mount --rbind root root/tmp/u1',
      'mount --bind root/tmp/u2 root/tmp/u2',
      'mount --make-unbindable root/tmp/u2',
      'mount --rbind root root/tmp/u2',
    ),
  );
});
