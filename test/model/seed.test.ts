// The seed configuration of the project, and its reconstruction with set-group. The seed builds
// its topology with propagation and lazy umounts; a restore must rebuild the same topology without
// propagation, joining groups with set-group. Both run on the kernel (set-group through the addon,
// in a child with a private namespace) and on the model.
import { describe, expect, it } from 'vitest';
import { diffMountinfo } from '../../src/mountinfo/index.js';
import { kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { kernelUnavailable } from '../support/kernel.js';
import { seedConfiguration } from '../support/seed.js';
import { agreementSuite, script } from './support/agree.js';

const seed = seedConfiguration;

/** The reconstruction as the brief words it: mount A; bind A B; mount on A/C and on B/C; make A shared; set-group A B; make A/C shared. */
const literalReconstruction = script(
  'mkdir A B',
  'mount -t tmpfs a A',
  'mount --bind A B',
  'mkdir A/C',
  'mount -t tmpfs c A/C',
  'mount -t tmpfs c2 B/C',
  'mount --make-shared A',
  'mount --set-group A B',
  'mount --make-shared A/C',
);

/**
 * The reconstruction that would rebuild every mount of the seed: B/C a bind of A/C joined to its
 * group under c2. With paths only it cannot be done: the join has to name B/C's bind, which c2
 * covers, and joining before mounting c2 makes c2 propagate to A/C. (A restore needs fds.)
 */
const coveredReconstruction = script(
  'mkdir A B',
  'mount -t tmpfs a A',
  'mount --bind A B',
  'mkdir A/C',
  'mount -t tmpfs c A/C',
  'mount --bind A/C B/C',
  'mount -t tmpfs c2 B/C',
  'mount --make-shared A',
  'mount --set-group A B',
  'mount --make-shared A/C',
  'mount --set-group A/C B/C',
);

describe.skipIf(kernelAnswersUnavailable('seed'))(kernelAnswersSuite('the seed configuration and its set-group reconstruction', 'seed'), () => {
  const agrees = agreementSuite('seed');

  const seedRun = agrees('what topology does the seed configuration end in?', seed, {
    also: (kernel) => {
      // A and B peers, A/C and B/C peers, and B/C's private c2 left on top by the lazy umounts.
      expect(kernel.mountinfo.split('\n').filter((line) => line.includes(' shared:')).length).toBe(4);
    },
  });
  const literal = agrees('where does the reconstruction as worded (mount on A/C and on B/C, set-group A B) end?', literalReconstruction);
  agrees('can set-group join a mount that another mount covers, by its path? (no: the path names the top mount)', coveredReconstruction, {
    fails: { 11: 'EINVAL' },
    also: (kernel, model) => {
      if (!kernelUnavailable) expect(kernel.reasons[0]).toMatch(/different filesystems/); // the kernel backend's diagnosis, live only
      expect(model.failures[0]?.reason).toMatch(/different filesystems/);
    },
  });

  it('does the reconstruction as worded end in the seed topology? (no: B/C lacks the peer of A/C under c2)', () => {
    expect(diffMountinfo(seedRun.kernel().mountinfo, literal.kernel().mountinfo)).toBeDefined();
  });
});
