// Questions about propagation, each answered by the kernel and checked against the model: slave
// chains, shared slaves, copies tucked under what covers their mountpoint, umount propagation
// around children, where slaves go when their master leaves, the order mountinfo lists mounts in,
// set-group's effect on later mounts, and superblock directories seen through several mounts.
import { describe, expect } from 'vitest';
import { kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { agreementSuite, script } from './support/agree.js';

/** The normalized lines whose mount point is `path`, bottom of the stack first. */
function at(mountinfo: string, path: string): string[] {
  return mountinfo.split('\n').filter((line) => line.split(' ')[4] === path);
}

/** The source (field 10) of each line. */
const sources = (lines: string[]): string[] => lines.map((line) => line.split(' - ')[1]!.split(' ')[1]!);

/** Mount points in the order mountinfo lists them. */
const mountPoints = (mountinfo: string): string[] => mountinfo.split('\n').filter(Boolean).map((line) => line.split(' ')[4]!);

const slaveChain = [
  'mkdir A B C D',
  'mount -t tmpfs a A',
  'mount --make-shared A',
  'mount --bind A B',
  'mount --make-slave B',
  'mount --make-shared B',
  'mount --bind B C',
  'mount --make-slave C',
  'mount --make-shared C',
  'mount --bind C D',
  'mount --make-slave D',
  'mkdir A/x A/y',
];

describe.skipIf(kernelAnswersUnavailable('propagation'))(kernelAnswersSuite('propagation on the kernel and the model', 'propagation'), () => {
  const agrees = agreementSuite('propagation');

  agrees('down a chain of shared slaves, does every level get a copy, each a slave of the copy above?', script(...slaveChain, 'mount -t tmpfs x A/x'), {
    also: (kernel) => expect(sources(['/A/x', '/B/x', '/C/x', '/D/x'].flatMap((p) => at(kernel.mountinfo, p)))).toEqual(['x', 'x', 'x', 'x']),
  });
  agrees('does a shared slave pass its own mounts down but not up to its master?', script(...slaveChain, 'mount -t tmpfs y B/y'), {
    also: (kernel) => {
      expect(at(kernel.mountinfo, '/A/y')).toEqual([]);
      expect(at(kernel.mountinfo, '/D/y')).toHaveLength(1);
    },
  });
  agrees('when the middle of a slave chain is made private, do its slaves move up to its master?', script(...slaveChain, 'mount --make-private B', 'mount -t tmpfs x A/x'), {
    also: (kernel) => {
      expect(at(kernel.mountinfo, '/B/x')).toEqual([]);
      expect(at(kernel.mountinfo, '/C/x')).toHaveLength(1);
    },
  });
  agrees('when the middle of a slave chain is unmounted, do its slaves move up to its master?', script(...slaveChain, 'umount B', 'mount -t tmpfs x A/x'));

  const slaveOfA = ['mkdir A B', 'mount -t tmpfs a A', 'mount --make-shared A', 'mount --bind A B', 'mount --make-slave B', 'mkdir A/x A/x/in'];
  agrees('is a copy propagated onto a covered mountpoint tucked under what covers it?', script(...slaveOfA, 'mount -t tmpfs local B/x', 'mount -t tmpfs shared A/x'), {
    also: (kernel) => expect(sources(at(kernel.mountinfo, '/B/x'))).toEqual(['local', 'shared']),
  });
  agrees(
    'does a whole stack at the mountpoint ride on top of the tucked copy?',
    script(...slaveOfA, 'mount -t tmpfs local1 B/x', 'mount -t tmpfs local2 B/x', 'mount -t tmpfs shared A/x'),
  );
  agrees(
    'does what covers the mountpoint land on the topmost root of a propagated tree copy?',
    script(...slaveOfA, 'mkdir T', 'mount -t tmpfs t T', 'mount -t tmpfs t-over T', 'mkdir T/deep', 'mount -t tmpfs deep T/deep', 'mount -t tmpfs local B/x', 'mount --rbind T A/x'),
  );
  agrees(
    'is a copy for a mount that cannot see the mountpoint skipped?',
    script('mkdir A B', 'mount -t tmpfs a A', 'mkdir A/sub A/other', 'mount --make-shared A', 'mount --bind A/sub B', 'mount -t tmpfs x A/other', 'mount -t tmpfs y A/sub'),
    { also: (kernel) => expect(at(kernel.mountinfo, '/B')).toHaveLength(2) },
  );

  const peersWithCopies = ['mkdir A B', 'mount -t tmpfs a A', 'mount --make-shared A', 'mount --bind A B', 'mkdir A/x', 'mount -t tmpfs x A/x'];
  agrees(
    'does umount propagation take a copy covered only on its root, sliding the cover down?',
    script(...peersWithCopies, 'mount --make-private B/x', 'mount -t tmpfs cover B/x', 'mount --make-shared B/x', 'umount A/x'),
    { fails: {} },
  );
  agrees(
    'does umount propagation leave a copy that has a mount inside it, and make it private?',
    script(...peersWithCopies, 'mount --make-private B/x', 'mkdir B/x/in', 'mount -t tmpfs in B/x/in', 'mount --make-shared A/x', 'umount A/x'),
  );
  agrees('does umount -l of a tree take the copies of its submounts on the peers?', script(...peersWithCopies, 'mkdir A/x/y', 'mount -t tmpfs y A/x/y', 'umount -l A/x'), {
    also: (kernel) => expect(at(kernel.mountinfo, '/B/x/y')).toEqual([]),
  });

  const slavesOfPeers = [
    'mkdir M N S1 S2 T1',
    'mount -t tmpfs m M',
    'mount --make-shared M',
    'mount --bind M N',
    'mount --bind M S1',
    'mount --make-slave S1',
    'mount --bind M S2',
    'mount --make-slave S2',
    'mount --bind N T1',
    'mount --make-slave T1',
    'mkdir M/x',
  ];
  agrees('when a mount with slaves leaves its group, in which order do the slaves receive copies from its former peer?', script(...slavesOfPeers, 'mount --make-private M', 'mount -t tmpfs x N/x'), {
    also: (kernel) => expect(at(kernel.mountinfo, '/M/x')).toEqual([]),
  });
  agrees('when a mount with slaves is made a slave itself, whose slave does it become and who gets its slaves?', script(...slavesOfPeers, 'mount --make-slave M', 'mount -t tmpfs x N/x'));
  agrees('when a mount with slaves is unmounted, who gets its slaves?', script(...slavesOfPeers, 'umount M', 'mount -t tmpfs x N/x'));
  agrees('when every peer of a group with slaves is unmounted at once, do the slaves become private?', script(
    'mkdir P',
    'mount -t tmpfs p P',
    'mkdir P/M P/N S',
    'mount -t tmpfs m P/M',
    'mount --make-shared P/M',
    'mount --bind P/M P/N',
    'mount --bind P/M S',
    'mount --make-slave S',
    'umount -l P',
  ), { also: (kernel) => expect(at(kernel.mountinfo, '/S')[0]).not.toMatch(/master:/) });

  agrees('is a moved mount still listed where it was created, before the mount it now sits on?', script('mkdir A B', 'mount -t tmpfs a A', 'mount -t tmpfs b B', 'mount --move A B'), {
    also: (kernel) => {
      expect(mountPoints(kernel.mountinfo)).toEqual(['/', '/B', '/B']);
      expect(sources(at(kernel.mountinfo, '/B'))).toEqual(['a', 'b']);
    },
  });
  agrees(
    'are propagated copies listed in the order the propagation walk made them?',
    script('mkdir A B C D', 'mount -t tmpfs a A', 'mount --make-shared A', 'mount --bind A B', 'mount --bind A C', 'mount --bind B D', 'mkdir A/x', 'mount -t tmpfs x C/x'),
  );

  agrees(
    'does set-group make the target receive later mounts on the source, without copying its existing children?',
    script('mkdir A B', 'mount -t tmpfs a A', 'mkdir A/old A/new', 'mount --make-shared A', 'mount -t tmpfs old A/old', 'mount --bind A B', 'mount --make-private B', 'mount --set-group A B', 'mount -t tmpfs new A/new'),
    {
      also: (kernel) => {
        expect(at(kernel.mountinfo, '/B/old')).toEqual([]);
        expect(at(kernel.mountinfo, '/B/new')).toHaveLength(1);
      },
    },
  );
  agrees(
    'does a set-group target with a narrower root receive only the mounts it can see?',
    script('mkdir A B', 'mount -t tmpfs a A', 'mkdir A/sub A/other', 'mount --make-shared A', 'mount --bind A/sub B', 'mount --make-private B', 'mount --set-group A B', 'mount -t tmpfs x A/sub', 'mount -t tmpfs y A/other'),
  );
  agrees(
    'does a set-group target of a slave source sit next to it among its master\'s slaves, receiving from the master?',
    script('mkdir A B C', 'mount -t tmpfs a A', 'mount --make-shared A', 'mount --bind A B', 'mount --make-slave B', 'mount --bind A C', 'mount --make-private C', 'mount --set-group B C', 'mkdir A/x', 'mount -t tmpfs x A/x'),
  );

  agrees(
    'does a bind of a subdirectory show that directory as its root, and see directories made through the other mount?',
    script('mkdir A B', 'mount -t tmpfs a A', 'mkdir A/sub', 'mount --bind A/sub B', 'mkdir A/sub/made-through-A', 'mount -t tmpfs t B/made-through-A', 'mkdir B/made-through-B', 'mount -t tmpfs u A/sub/made-through-B'),
    { also: (kernel) => expect(at(kernel.mountinfo, '/B')[0]).toMatch(/ \/sub \/B /) },
  );
  agrees('is a mount on a mount point stacked on top, covering it?', script('mkdir A', 'mount -t tmpfs one A', 'mount -t tmpfs two A', 'mkdir A/seen', 'umount A', 'mkdir A/seen'), {
    fails: {},
  });
});
