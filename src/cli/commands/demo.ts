// mount-set-group demo: the seed's example. Two mounts of one filesystem, one shared, one private;
// their mountinfo lines before and after set-group. Runs on the kernel in a private mount
// namespace of its own when it can; otherwise on the model, and says so.
import { Command } from 'commander';
import { CliExit } from '../errors.js';
import { privateNamespaceUnavailable } from '../../process/child.js';
import { runOnKernel } from '../../scenario/worker-client.js';
import { ModelNamespace } from '../../model/index.js';
import { runScenario, type LineFailure } from '../../scenario/run.js';

const setup = ['mkdir a b', 'mount -t tmpfs demo a', 'mount --bind a b', 'mount --make-shared a'];
/** Set-group in the scenario language, which runs it; mount(8) has no such option. */
const setGroupLine = 'mount --set-group a b';
/** The command a person types for it, which the demo shows. */
const setGroupCommand = 'mount-set-group set a b';

/** What the demo shows: where it ran, and the mountinfo after the setup and after set-group. */
interface DemoRun {
  where: string;
  dir: string;
  before: string;
  after: string;
  failures: LineFailure[];
}

function linesOf(mountinfo: string, dir: string): string {
  return mountinfo
    .split('\n')
    .filter((line) => line.includes(` ${dir}/a `) || line.includes(` ${dir}/b `))
    .map((line) => `  ${line}`)
    .join('\n');
}

function onKernel(): DemoRun {
  const [response] = runOnKernel([{ script: [...setup, setGroupLine].join('\n'), trace: true }]);
  const { dir, trace, failures, mountinfo } = response!;
  return { where: `In a private mount namespace, on a scratch tmpfs ${dir}:`, dir, before: trace![setup.length - 1]!.mountinfo, after: mountinfo, failures };
}

function onModel(why: string): DemoRun {
  const ns = new ModelNamespace();
  const dir = '/demo';
  ns.mkdir(dir);
  ns.mount('tmpfs', 'scratch', dir);
  const first = runScenario(ns, setup.join('\n'), { cwd: dir });
  const before = ns.mountinfo();
  const second = runScenario(ns, setGroupLine, { cwd: dir });
  const where = `The kernel cannot be used here (${why}); this runs on the model of the kernel instead, on a tmpfs at ${dir}:`;
  return { where, dir, before, after: ns.mountinfo(), failures: [...first.failures, ...second.failures] };
}

function describe(run: DemoRun): string {
  if (run.failures.length > 0) throw new CliExit(1, `demo failed: ${run.failures.map((f) => f.message).join('; ')}`);
  return [
    run.where,
    ...setup.map((line) => `  $ ${line}`),
    'Two mounts of one filesystem: a is shared, b is private.',
    linesOf(run.before, run.dir),
    `  $ ${setGroupCommand}`,
    'b has joined the peer group of a (same shared:N); nothing was copied onto it.',
    linesOf(run.after, run.dir),
    '',
  ].join('\n');
}

export function demoCommand(): Command {
  return new Command('demo')
    .summary('set-group at work on two mounts of one tmpfs, before and after')
    .description(
      "Show set-group at work: the seed's example of two mounts of one filesystem, before and after. Runs on the " +
        'kernel in a private mount namespace of its own; where that is impossible, on the model, and says so.',
    )
    .action(() => {
      const cannot = privateNamespaceUnavailable();
      process.stdout.write(describe(cannot === undefined ? onKernel() : onModel(cannot)));
    });
}
