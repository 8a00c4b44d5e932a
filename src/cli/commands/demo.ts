// mount-set-group demo: the seed's example. Two mounts of one filesystem, one shared, one private;
// their mountinfo lines before and after set-group. Runs on the kernel in a private mount
// namespace of its own when it can.
import { Command } from 'commander';
import { CliExit } from '../../errors.js';
import { privateNamespaceUnavailable } from '../../kernel/child.js';
import { runOnKernel } from '../../kernel/worker-client.js';

const setup = ['mkdir a b', 'mount -t tmpfs demo a', 'mount --bind a b', 'mount --make-shared a'];
const setGroupLine = 'mount --set-group a b';

function linesOf(mountinfo: string, dir: string): string {
  return mountinfo
    .split('\n')
    .filter((line) => line.includes(` ${dir}/a `) || line.includes(` ${dir}/b `))
    .map((line) => `  ${line}`)
    .join('\n');
}

function runDemoOnKernel(): string {
  const [response] = runOnKernel([{ script: [...setup, setGroupLine].join('\n'), trace: true }]);
  const { dir, trace, failures } = response!;
  if (failures.length > 0) throw new CliExit(1, `demo failed: ${failures.map((f) => f.message).join('; ')}`);
  const before = trace![setup.length - 1]!.mountinfo;
  return [
    `In a private mount namespace, on a scratch tmpfs ${dir}:`,
    ...setup.map((line) => `  $ ${line}`),
    'Two mounts of one filesystem: a is shared, b is private.',
    linesOf(before, dir),
    `  $ ${setGroupLine}`,
    'b has joined the peer group of a (same shared:N); nothing was copied onto it.',
    linesOf(response!.mountinfo, dir),
    '',
  ].join('\n');
}

export function demoCommand(): Command {
  return new Command('demo')
    .summary("set-group at work on two mounts of one tmpfs, before and after")
    .description("Show set-group at work: the seed's example of two mounts of one filesystem, before and after.")
    .action(() => {
      const cannot = privateNamespaceUnavailable();
      if (cannot) throw new CliExit(1, `the kernel cannot be used here (${cannot})`);
      process.stdout.write(runDemoOnKernel());
    });
}
