// mount-set-group emulate [--cwd DIR] [--show | --graph] SCRIPT|-: run a scenario on a fresh model
// (a private root filesystem at /, every directory on the way to --cwd present, the scenario's
// first process working there) and print the resulting mountinfo; failed lines go to stderr as
// `line N: CODE: message`. Exit 0 if every line succeeded, 1 otherwise. A scenario that starts
// namespaces (unshare) also gets the mountinfo of each one still held, after a line `# NAME`.
// Outside checks use exactly this interface: keep it stable.
import { closeSync, openSync, readSync } from 'node:fs';
import { Command } from 'commander';
import { CliExit, UsageError } from '../errors.js';
import { ModelSystem } from '../../model/index.js';
import { parse } from '../../mountinfo/parse.js';
import { formatFailure, runScenario } from '../../scenario/run.js';
import { renderMounts } from './show.js';

/** The largest scenario accepted: 16 MiB of commands is a mistake, not a scenario. */
export const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

/** The text of a file or of stdin ('-'), refusing more than MAX_SCRIPT_BYTES. */
export function readScript(path: string): string {
  const fd = path === '-' ? 0 : openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(1024 * 1024);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      if (total > MAX_SCRIPT_BYTES) throw new UsageError(`${path === '-' ? 'stdin' : path} is larger than ${MAX_SCRIPT_BYTES} bytes: not a scenario`);
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}

export function emulateCommand(): Command {
  return new Command('emulate')
    .summary("run a mount scenario on the propagation model and print its mountinfo")
    .description(
      'Run a scenario (mkdir, touch, mount -t TYPE [-o OPTS], mount -o remount,bind[,FLAGS] [SOURCE] DIR, ' +
        'mount --bind|--rbind|--move|--make-*|--set-group, umount [-l], cd) on a fresh model of a mount namespace and ' +
        'print the resulting mountinfo. -o splits as mount(8) does: per-mount flags (ro, nosuid, nodev, noexec, noatime, ' +
        'nodiratime, relatime, strictatime, nosymfollow and their negations) and filesystem data; a bind remount of DIR ' +
        "alone adds FLAGS to the mount's own, one with SOURCE DIR sets exactly FLAGS. A mount command may carry --make-* " +
        'flags too (mount --bind --make-rslave A B), applied to DST afterwards as mount(8) does. ' +
        'Namespaces: "unshare [-m] [-U] [--propagation private|shared|slave|unchanged] NAME" starts a process NAME in a new ' +
        'mount namespace copied from the current one (unshare(1) -m ... sleep infinity; private by default) and/or a new ' +
        'user namespace in which it is root (-U: shared mounts copy as slaves, and the copies are locked); ' +
        '"nsenter -t NAME [-m] [-U]" runs the following lines in NAME\'s mount and/or user namespace until "exit"; ' +
        '"kill NAME" ends NAME, and a namespace ends with its last process. The scenario starts in the namespace named ' +
        'host; /proc/NAME/cwd/PATH (PATH relative to the directory NAME started in) and /proc/NAME/root/PATH name PATH in ' +
        "NAME's namespace, so that set-group and --make-* reach across namespaces. The mountinfo of each namespace still " +
        'held follows the first namespace\'s, after a line "# NAME". Failed lines are reported on stderr ' +
        'as "line N: CODE: message" and do not stop the run; the exit status is 1 if any line failed.',
    )
    .argument('<script>', "scenario file, or '-' for stdin")
    .option('--cwd <dir>', 'directory the scenario starts in (created, with every directory on the way)', '/')
    .option('--show', 'print the mount tree (as show does) instead of mountinfo')
    .option('--graph', 'print the propagation graph as Graphviz DOT instead of mountinfo')
    .action((script: string, options: { cwd: string; show?: boolean; graph?: boolean }) => {
      if (!options.cwd.startsWith('/')) throw new UsageError(`--cwd must be an absolute path, not '${options.cwd}'`);
      if (options.show && options.graph) throw new UsageError('choose one of --show and --graph');
      const text = readScript(script);
      const system = new ModelSystem();
      system.init.mkdir(options.cwd, { recursive: true });
      system.init.chdir(options.cwd);
      const { failures, namespaces } = runScenario(system, text, { cwd: options.cwd });
      namespaces.forEach(({ name, mountinfo }, i) => {
        const text = mountinfo();
        if (i > 0) process.stdout.write(`# ${name}\n`);
        process.stdout.write(options.show || options.graph ? renderMounts(parse(text), { graph: options.graph }) : text);
      });
      for (const failure of failures) process.stderr.write(`${formatFailure(failure)}\n`);
      if (failures.length > 0) throw new CliExit(1);
    });
}
