// `npm run kernel:build`: builds the patched VM kernel (or finds it in the cache) and prints the
// bzImage path on stdout; progress and errors go to stderr. Exit 0 on success, 1 on failure.
import { Command } from 'commander';
import { KernelBuildError } from './errors.js';
import { buildKernel } from './kernel-build.js';

/** The command line of the build script. */
function buildCommand(): Command {
  return new Command('kernel:build')
    .description('Build the MS_SET_GROUP-patched kernel for the test VM (cached by source, patches and config).')
    .option('--force', 'rebuild even when the cache holds this build')
    .option('--keep-tree', 'keep the built source tree (about 1.5 GB) for incremental work')
    .option('-j, --jobs <n>', 'parallel make jobs (default: number of CPUs)', (v) => Number.parseInt(v, 10));
}

const options = buildCommand().parse(process.argv).opts<{ force?: boolean; keepTree?: boolean; jobs?: number }>();
try {
  const result = await buildKernel(options);
  const how = result.cached ? 'cached' : `built in ${Math.round(result.seconds)} s`;
  process.stderr.write(`kernel: ${result.release} (${how})\n`);
  process.stdout.write(`${result.bzImage}\n`);
} catch (error) {
  process.stderr.write(`kernel:build: ${error instanceof KernelBuildError ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
