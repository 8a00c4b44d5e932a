// The fixed-seed batch of random scenarios (generator.ts) on the kernel and the model, compared
// after every line (runner.ts): the same outcome for each line, the same normalized mountinfo of
// every namespace, and the model's invariants after every operation. One seed's scenarios all start,
// enter, end and cross namespaces (each nsenter starts a Node process: they cost more). fast-check shrinks a failure to a minimal scenario,
// which the failure message shows ready to paste into test/model/regressions.test.ts. More runs and
// other seeds: `npm run fuzz -- --runs N --seed S`.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelSuite, kernelUnavailable, testMethod } from '../support/kernel.js';
import { operationKind, scenarioArbitrary, type GeneratorOptions } from './generator.js';
import { describeFinding, DifferentialRunner, findingsOf } from './runner.js';
import { runningKernelVersion } from './sides.js';

const generator: GeneratorOptions = { minOps: 20, maxOps: 60, model: { kernel: runningKernelVersion } };
const seeds = [1, 2, 3, 4, 5];
const runsPerSeed = 100;
const withNamespaces: GeneratorOptions = { ...generator, namespaces: 100 };
const namespaceSeed = 6;
const namespaceRuns = 40;

describe.skipIf(kernelUnavailable)(kernelSuite(`random scenarios on the kernel and the model (${runningKernelVersion})`), () => {
  let runner: DifferentialRunner;
  /** Per kind of operation, the outcomes seen on the kernel ('ok' or an errno). */
  const outcomes = new Map<string, Set<string>>();

  beforeAll(() => {
    runner = new DifferentialRunner({ model: generator.model, setGroupMethod: testMethod });
  });
  afterAll(() => runner?.close());

  /** The property every batch checks: the sides agree, and what each kind of operation did is noted. */
  const agreeing = (options: GeneratorOptions, seed: number) =>
    fc.asyncProperty(scenarioArbitrary(options), async (scenario) => {
      const verdict = await runner.check(scenario);
      const found = findingsOf(verdict)[0];
      if (found !== undefined) throw new Error(describeFinding(scenario, found, `seed ${seed}`));
      verdict.kernelCodes.forEach((code, i) => {
        const kind = operationKind(scenario[i]!);
        outcomes.set(kind, (outcomes.get(kind) ?? new Set()).add(code ?? 'ok'));
        if (scenario[i]!.includes('/proc/')) crossing.add(`${kind} ${code ?? 'ok'}`);
      });
    });
  /** Per kind of operation, the outcomes of lines that named a path in another namespace. */
  const crossing = new Set<string>();

  for (const seed of seeds) {
    it(`do ${runsPerSeed} random scenarios of ${generator.minOps} to ${generator.maxOps} operations (seed ${seed}) agree after every line, the model's invariants holding?`, async () => {
      await fc.assert(agreeing(generator, seed), { seed, numRuns: runsPerSeed });
    });
  }

  it(`do ${namespaceRuns} random scenarios that start, enter, end and cross namespaces (seed ${namespaceSeed}) agree after every line in every namespace?`, async () => {
    await fc.assert(agreeing(withNamespaces, namespaceSeed), { seed: namespaceSeed, numRuns: namespaceRuns });
  });

  it('do the scenarios make every operation both succeed and fail?', () => {
    const operations = ['mkdir', 'mount -t tmpfs', 'mount --bind', 'mount --rbind', 'mount --move', 'umount', 'umount -l', 'mount -o remount,bind', 'mount -o remount,bind SOURCE'];
    const propagation = ['shared', 'slave', 'private', 'unbindable'].flatMap((type) => [`mount --make-${type}`, `mount --make-r${type}`]);
    for (const kind of [...operations, ...propagation, 'mount --set-group']) {
      const seen = outcomes.get(kind) ?? new Set();
      expect(seen.has('ok'), `${kind} succeeded somewhere`).toBe(true);
      expect(seen.size, `${kind} failed somewhere (${[...seen].join(', ')})`).toBeGreaterThan(1);
    }
    expect(outcomes.get('umount'), 'umount was refused as busy').toContain('EBUSY');
    expect(outcomes.get('mkdir'), 'mkdir met a read-only superblock').toContain('EROFS');
  });

  it('do the namespace scenarios start and end namespaces, enter them and get refused, and cross them with set-group both ways?', () => {
    for (const kind of ['unshare -m', 'unshare -U -m', 'kill', 'exit']) expect(outcomes.get(kind), kind).toContain('ok');
    const nsenter = new Set(['nsenter -m', 'nsenter -m -U', 'nsenter -U'].flatMap((kind) => [...(outcomes.get(kind) ?? [])]));
    expect(nsenter, 'nsenter succeeded').toContain('ok');
    expect(nsenter.size, `nsenter was refused (${[...nsenter].join(', ')})`).toBeGreaterThan(1);
    expect(outcomes.get('mount --set-group'), 'set-group met a namespace its caller does not own').toContain('EPERM');
    expect(crossing, 'set-group through /proc/NAME/cwd succeeded').toContain('mount --set-group ok');
    expect(crossing, 'a bind from another namespace was refused').toContain('mount --bind EINVAL');
  });
});
