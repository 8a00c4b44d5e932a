// Builds the patched VM kernel: check the tools, unpack Debian's linux-source tarball into the cache,
// apply kernel-patch/NNNN-*.patch, configure (tinyconfig + kernel-patch/vm.config, every option
// verified), `make bzImage`, and keep the result under a key of all the inputs, so that a second
// run with the same inputs returns at once.
import { spawn } from 'node:child_process';
import {
  copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync,
  renameSync, rmSync, writeFileSync, type WriteStream,
} from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { KernelBuildError } from './errors.js';
import { findExecutable } from './host.js';
import { kernelBuildPaths, kernelCacheRoot, kernelInputs, SOURCE_PACKAGE, type KernelBuildPaths } from './kernel-cache.js';

/** A tool or file the build needs, and the Debian package that provides it. */
interface Prerequisite {
  what: string;
  present: () => boolean;
  aptPackage: string;
}

export interface BuildOptions {
  /** Parallel make jobs (default: the number of CPUs). */
  jobs?: number;
  /** Rebuild even when the cache holds this build. */
  force?: boolean;
  /** Keep the unpacked, built source tree (about 1.5 GB) instead of deleting it after success. */
  keepTree?: boolean;
  /** Seconds between progress lines while make runs (default 15). */
  progressEvery?: number;
  /** Where progress lines go (default: stderr). */
  say?: (line: string) => void;
}

export interface BuildResult {
  bzImage: string;
  /** True when the cache already held the build. */
  cached: boolean;
  /** Kernel release as `uname -r` reports it in the guest. */
  release: string;
  seconds: number;
}

/** What is recorded next to each cached bzImage. */
interface BuildInfo {
  release: string;
  key: string;
  builtAt: string;
  seconds: number;
  files: number;
}

/** Everything the build needs, with the package that provides each. */
function prerequisites(tarball: string): Prerequisite[] {
  const tool = (name: string, aptPackage = name): Prerequisite => ({ what: name, present: () => findExecutable(name) !== undefined, aptPackage });
  return [
    { what: `kernel source ${tarball}`, present: () => existsSync(tarball), aptPackage: SOURCE_PACKAGE },
    tool('gcc'), tool('make'), tool('flex'), tool('bison'), tool('bc'), tool('cpio'), tool('patch'),
    tool('tar'), tool('xz', 'xz-utils'), tool('perl', 'perl-base'),
    { what: 'libelf headers (/usr/include/gelf.h)', present: () => existsSync('/usr/include/gelf.h'), aptPackage: 'libelf-dev' },
  ];
}

/** Fails with the list of what is missing and the apt-get command that installs it. */
export function checkPrerequisites(tarball: string): void {
  const missing = prerequisites(tarball).filter((p) => !p.present());
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((p) => p.aptPackage))].join(' ');
  throw new KernelBuildError(
    `cannot build the kernel, missing: ${missing.map((p) => p.what).join(', ')}\n` +
      `install with: sudo apt-get install ${packages}`,
  );
}

/** Runs a command with its output appended to the log; `onLine` sees each stdout line. Rejects on failure. */
function runLogged(
  command: string, args: string[], cwd: string, log: WriteStream, onLine?: (line: string) => void,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    log.write(`\n$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (!onLine) return;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)));
  });
}

/** The last `count` lines of a file. */
function tail(file: string, count: number): string {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
}

/** Runs one logged build step; a failure becomes a KernelBuildError showing the end of the log. */
async function step(
  what: string, paths: KernelBuildPaths, log: WriteStream, command: string, args: string[], onLine?: (line: string) => void,
): Promise<void> {
  try {
    await runLogged(command, args, paths.tree, log, onLine);
  } catch (error) {
    await closeLog(log);
    throw new KernelBuildError(`${what} failed: ${(error as Error).message}\n${tail(paths.log, 30)}`, paths.log);
  }
}

/** Flushes and closes the log stream. */
function closeLog(log: WriteStream): Promise<void> {
  return new Promise((resolvePromise) => log.end(resolvePromise));
}

/** Unpacks the tarball into a fresh tree (the top directory stripped). */
async function unpack(tarball: string, paths: KernelBuildPaths, log: WriteStream): Promise<void> {
  rmSync(paths.tree, { recursive: true, force: true });
  mkdirSync(paths.tree, { recursive: true });
  await step('unpacking the source', paths, log, 'tar', ['-xJf', tarball, '--strip-components=1']);
}

/** The rejected hunks that `patch` reported saving (".rej" files named in its output), as text. */
function rejectedHunks(tree: string, patchOutput: string): string {
  const files = [...patchOutput.matchAll(/saving rejects to file (\S+)/g)].map((m) => m[1] ?? '');
  return files.map((file) => `--- ${file}\n${readFileSync(join(tree, file), 'utf8')}`).join('\n');
}

/** Applies each patch in order with `patch -p1 --fuzz=0` (offsets are fine, changed context is not); a hunk that does not apply fails the build and is shown. */
async function applySeries(patches: string[], paths: KernelBuildPaths, log: WriteStream): Promise<void> {
  for (const patch of patches) {
    try {
      await runLogged('patch', ['-p1', '--batch', '--forward', '--fuzz=0', '--no-backup-if-mismatch', '-i', patch], paths.tree, log);
    } catch {
      await closeLog(log);
      throw new KernelBuildError(
        `${basename(patch)} does not apply to ${SOURCE_PACKAGE}:\n${tail(paths.log, 12)}\n` +
          `rejected hunks:\n${rejectedHunks(paths.tree, tail(paths.log, 200))}`,
        paths.log,
      );
    }
  }
}

/** The options a config fragment sets: name -> value, with `=n` and `is not set` as 'n'. */
export function fragmentOptions(text: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line.trim());
    if (set?.[1] && set[2] !== undefined) options.set(set[1], set[2]);
    else if (unset?.[1]) options.set(unset[1], 'n');
  }
  return options;
}

/** The fragment's options that the final .config does not hold, as `CONFIG_X=want (got ...)`. */
export function unappliedOptions(fragment: string, config: string): string[] {
  const got = fragmentOptions(config);
  const lost: string[] = [];
  for (const [name, want] of fragmentOptions(fragment)) {
    const value = got.get(name) ?? 'n';
    if (value !== want) lost.push(`${name}=${want} (got ${value === 'n' ? 'not set' : value})`);
  }
  return lost;
}

/** tinyconfig, then the fragment merged in, then olddefconfig; fails if any fragment option did not stick. */
async function configure(fragment: string, paths: KernelBuildPaths, log: WriteStream): Promise<void> {
  await step('make tinyconfig', paths, log, 'make', ['tinyconfig']);
  await step('merging vm.config', paths, log, 'scripts/kconfig/merge_config.sh', ['-m', '.config', fragment]);
  await step('make olddefconfig', paths, log, 'make', ['olddefconfig']);
  const lost = unappliedOptions(readFileSync(fragment, 'utf8'), readFileSync(join(paths.tree, '.config'), 'utf8'));
  if (lost.length > 0) {
    await closeLog(log);
    throw new KernelBuildError(
      `kernel-patch/vm.config options that olddefconfig dropped (a missing dependency?):\n  ${lost.join('\n  ')}\n` +
        `see ${join(paths.tree, '.config')} and \`make menuconfig\` there for the dependencies`,
      paths.log,
    );
  }
}

/** The number of files the most recent earlier build compiled, for a progress estimate. */
function previousFileCount(root: string): number | undefined {
  if (!existsSync(root)) return undefined;
  const counts = readdirSync(root)
    .map((dir) => join(root, dir, 'kernel.json'))
    .filter(existsSync)
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as BuildInfo)
    .sort((a, b) => b.builtAt.localeCompare(a.builtAt));
  return counts[0]?.files;
}

/** `make -jN bzImage`, printing a progress line every few seconds instead of make's output. Returns the file count. */
async function makeBzImage(paths: KernelBuildPaths, log: WriteStream, options: Required<Pick<BuildOptions, 'jobs' | 'progressEvery' | 'say'>>): Promise<number> {
  const started = Date.now();
  const estimate = previousFileCount(kernelCacheRoot());
  let files = 0;
  let last = '';
  const onLine = (line: string): void => {
    const built = /^\s+(?:CC|AS|AR|LD|HOSTCC|HOSTLD|OBJCOPY|GEN|UPD)\s+(\S+)/.exec(line);
    if (built?.[1]) {
      files++;
      last = built[1];
    }
  };
  const timer = setInterval(() => {
    const of = estimate ? ` of about ${estimate}` : '';
    options.say(`kernel: building, ${files}${of} steps done in ${elapsed(started)} (now: ${last})`);
  }, options.progressEvery * 1000);
  try {
    await step('make bzImage', paths, log, 'make', [`-j${options.jobs}`, 'bzImage'], onLine);
  } finally {
    clearInterval(timer);
  }
  return files;
}

/** Minutes and seconds since `started`. */
function elapsed(started: number): string {
  const s = Math.round((Date.now() - started) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The kernel release of a built tree (include/config/kernel.release). */
function treeRelease(tree: string): string {
  return readFileSync(join(tree, 'include/config/kernel.release'), 'utf8').trim();
}

/** Claims the build directory for this process, so that two builds of the same key do not collide. */
function lockBuild(dir: string): () => void {
  const lock = join(dir, 'lock');
  mkdirSync(dir, { recursive: true });
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (pidAlive(pid)) throw new KernelBuildError(`another kernel build (pid ${pid}) is running in ${dir}; wait for it`);
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

/** True when a process with this pid exists. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Builds (or finds in the cache) the patched bzImage for the current kernel-patch/ directory. */
export async function buildKernel(options: BuildOptions = {}): Promise<BuildResult> {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const inputs = kernelInputs();
  checkPrerequisites(inputs.tarball);
  const paths = kernelBuildPaths(inputs.key);
  if (!options.force && existsSync(paths.bzImage) && existsSync(paths.info)) {
    const info = JSON.parse(readFileSync(paths.info, 'utf8')) as BuildInfo;
    return { bzImage: paths.bzImage, cached: true, release: info.release, seconds: (Date.now() - started) / 1000 };
  }
  const unlock = lockBuild(paths.dir);
  try {
    return await buildInto(paths, inputs, { ...options, say }, started);
  } finally {
    unlock();
  }
}

/** The uncached build, step by step, into `paths`. */
async function buildInto(
  paths: KernelBuildPaths, inputs: ReturnType<typeof kernelInputs>, options: BuildOptions & { say: (line: string) => void }, started: number,
): Promise<BuildResult> {
  const say = options.say;
  rmSync(paths.bzImage, { force: true });
  const log = createWriteStream(paths.log);
  say(`kernel: building ${SOURCE_PACKAGE} + ${inputs.patches.length} patch(es) in ${paths.dir} (log: ${paths.log})`);
  say('kernel: unpacking the source (about 15 s)');
  await unpack(inputs.tarball, paths, log);
  say(`kernel: applying ${inputs.patches.map((p) => basename(p)).join(', ')}`);
  await applySeries(inputs.patches, paths, log);
  say('kernel: configuring (tinyconfig + kernel-patch/vm.config)');
  await configure(inputs.fragment, paths, log);
  const jobs = options.jobs ?? cpus().length;
  say(`kernel: make -j${jobs} bzImage (about 5 minutes on 2 CPUs)`);
  const files = await makeBzImage(paths, log, { jobs, progressEvery: options.progressEvery ?? 15, say });
  await closeLog(log);
  const release = treeRelease(paths.tree);
  copyFileSync(join(paths.tree, 'arch/x86/boot/bzImage'), `${paths.bzImage}.tmp`);
  renameSync(`${paths.bzImage}.tmp`, paths.bzImage);
  const seconds = (Date.now() - started) / 1000;
  const info: BuildInfo = { release, key: inputs.key, builtAt: new Date().toISOString(), seconds, files };
  writeFileSync(paths.info, `${JSON.stringify(info, null, 2)}\n`);
  if (!options.keepTree) rmSync(paths.tree, { recursive: true, force: true });
  say(`kernel: built ${release} in ${elapsed(started)}`);
  return { bzImage: paths.bzImage, cached: false, release, seconds };
}
