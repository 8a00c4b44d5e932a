// mount-set-group kernel-build [--force] [--keep-tree] [-j N]: builds the MS_SET_GROUP-patched kernel
// for the VM (or finds it in the cache) and prints the bzImage's path on stdout; progress on stderr.
import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { KernelBuildError } from '../../vm/errors.js';
import { buildKernel } from '../../vm/kernel-build.js';
import { CliExit } from '../errors.js';

/** Commander's parser for a number of parallel jobs. */
function jobs(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new CommanderArgumentError(`expected a positive integer, not '${value}'`);
  return Number(value);
}

export function kernelBuildCommand(): Command {
  return new Command('kernel-build')
    .summary('build the MS_SET_GROUP-patched kernel for the VM (cached)')
    .description(
      "Build the kernel that `mount-set-group vm` boots: Debian's linux-source-6.12 with kernel-patch/ applied, " +
        'configured from tinyconfig and kernel-patch/vm.config. Cached by source, patches and config; prints the bzImage path.',
    )
    .option('--force', 'rebuild even when the cache holds this build')
    .option('--keep-tree', 'keep the built source tree (about 1.5 GB) for incremental work')
    .option('-j, --jobs <n>', 'parallel make jobs (default: number of CPUs)', jobs)
    .action(async (options: { force?: boolean; keepTree?: boolean; jobs?: number }) => {
      const result = await buildKernel(options).catch((error: unknown) => {
        throw error instanceof KernelBuildError ? new CliExit(1, `kernel-build: ${error.message}`) : error;
      });
      const how = result.cached ? 'cached' : `built in ${Math.round(result.seconds)} s`;
      process.stderr.write(`kernel: ${result.release} (${how})\n`);
      process.stdout.write(`${result.bzImage}\n`);
    });
}
