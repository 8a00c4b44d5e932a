// Questions about many mount namespaces and user namespaces, each answered by the kernel (the
// worker's unshare and nsenter lines run in real child processes holding real namespaces) and
// checked against the model: the normalized mountinfo of every namespace the scenario holds, in
// one numbering, and the errno of every refused line.
import { describe, expect } from 'vitest';
import { kernelAnswersSuite, kernelAnswersUnavailable } from '../support/kernel-answers.js';
import { agreementSuite, type AgreeOptions } from './support/agree.js';
import type { ModelRun, Outcome } from './support/differential.js';

/** A line the kernel refuses, with its errno. */
interface Refused {
  refused: string;
  code: string;
}

const refused = (code: string, line: string): Refused => ({ refused: line, code });

/** A scenario's text and the lines it expects refused (1-based, every line counted). */
function scenario(...lines: (string | Refused)[]): { text: string; fails: Record<number, string> } {
  const fails: Record<number, string> = {};
  lines.forEach((line, i) => {
    if (typeof line !== 'string') fails[i + 1] = line.code;
  });
  return { text: lines.map((line) => (typeof line === 'string' ? line : line.refused)).join('\n'), fails };
}

/** The sections of an outcome's mountinfo: `host`, then each namespace after its `# NAME` line. */
function sections(outcome: Outcome): Map<string, string[]> {
  const result = new Map<string, string[]>([['host', []]]);
  let current = result.get('host')!;
  for (const line of outcome.mountinfo.split('\n').filter(Boolean)) {
    if (line.startsWith('# ')) result.set(line.slice(2), (current = []));
    else current.push(line);
  }
  return result;
}

/** The line of namespace `name` whose mount point is `path` (the top of the stack). */
function lineAt(outcome: Outcome, name: string, path: string): string | undefined {
  return sections(outcome).get(name)?.findLast((line) => line.split(' ')[4] === path);
}

/** The propagation fields of a normalized line (shared:N, master:N, propagate_from:N, unbindable). */
function propagationOf(line: string | undefined): string {
  if (line === undefined) return 'absent';
  const optional = line.split(' - ')[0]!.split(' ').slice(6);
  return optional.length === 0 ? 'private' : optional.join(' ');
}

/** A host with a peer group (A, B), a slave of it (S), a private mount (P), an unbindable one (U), and a read-only nosuid mount inside the group (A/in). */
const host = [
  'mkdir A B P S U',
  'mount -t tmpfs a A',
  'mount --make-shared A',
  'mount --bind A B',
  'mount -t tmpfs p P',
  'mount --bind A S',
  'mount --make-slave S',
  'mount -t tmpfs u U',
  'mount --make-unbindable U',
  'mkdir A/in',
  'mount -t tmpfs -o ro,nosuid in A/in',
];

describe.skipIf(kernelAnswersUnavailable('namespaces'))(kernelAnswersSuite('many namespaces on the kernel and the model', 'namespaces'), () => {
  const agrees = agreementSuite('namespaces');
  const ask = (question: string, lines: (string | Refused)[], also?: AgreeOptions['also']): void => {
    const { text, fails } = scenario(...lines);
    agrees(question, text, also === undefined ? { fails } : { fails, also });
  };

  // ---- what unshare -m copies -------------------------------------------------------------------

  ask(
    'what does unshare -m copy, in which order, and which copies are peers of their originals (mounts made on either side reach the other)?',
    [...host, 'unshare -m --propagation unchanged C', 'nsenter -t C -m', 'mkdir A/c', 'mount -t tmpfs fromc A/c', 'exit', 'mkdir A/h', 'mount -t tmpfs fromhost A/h'],
    (kernel) => {
      const copy = sections(kernel).get('C')!.map((line) => line.split(' ')[4]);
      expect(copy.slice(0, 9), 'the copy lists the tree depth first').toEqual(['/', '/A', '/A/in', '/B', '/B/in', '/P', '/S', '/S/in', '/U']);
      expect(propagationOf(lineAt(kernel, 'C', '/A'))).toBe(propagationOf(lineAt(kernel, 'host', '/A')));
      for (const path of ['/A/c', '/B/c', '/S/c', '/A/h', '/B/h', '/S/h']) {
        expect(lineAt(kernel, 'host', path), `host ${path}`).toBeDefined();
        expect(lineAt(kernel, 'C', path), `C ${path}`).toBeDefined();
      }
    },
  );
  ask('does unshare -m alone make every copy private (unshare(1)\'s --propagation private), so nothing passes either way?', [
    ...host,
    'unshare -m C',
    'mkdir A/h',
    'mount -t tmpfs fromhost A/h',
    'nsenter -t C -m',
    'mkdir A/c',
    'mount -t tmpfs fromc A/c',
    'exit',
  ], (kernel) => {
    expect(propagationOf(lineAt(kernel, 'C', '/A'))).toBe('private');
    expect(lineAt(kernel, 'C', '/A/h')).toBeUndefined();
    expect(lineAt(kernel, 'host', '/A/c')).toBeUndefined();
  });
  ask('with --propagation slave, does each copy receive from the host and send nothing back?', [
    ...host,
    'unshare -m --propagation slave C',
    'mkdir A/h',
    'mount -t tmpfs fromhost A/h',
    'nsenter -t C -m',
    'mkdir A/c',
    'mount -t tmpfs fromc A/c',
    'exit',
  ], (kernel) => {
    expect(lineAt(kernel, 'C', '/A/h')).toBeDefined();
    expect(lineAt(kernel, 'host', '/A/c')).toBeUndefined();
  });
  ask('with --propagation shared, do private mounts of the host become peers of nothing but their copies to come?', [
    ...host,
    'unshare -m --propagation shared C',
    'nsenter -t C -m',
    'mkdir P/c',
    'mount -t tmpfs fromc P/c',
    'exit',
    'unshare -m --propagation unchanged D',
  ]);
  ask('does a namespace made inside another copy that one, and its copies stay peers across three namespaces?', [
    ...host,
    'unshare -m --propagation unchanged C',
    'nsenter -t C -m',
    'unshare -m --propagation unchanged D',
    'exit',
    'nsenter -t D -m',
    'mkdir A/d',
    'mount -t tmpfs fromd A/d',
    'exit',
  ]);

  // ---- user namespaces: slaves and locks -------------------------------------------------------

  ask('what does an unshare -U -m copy of a shared mount become: a slave of it, receiving from the host, and locked?', [
    ...host,
    'unshare -U -m --propagation unchanged C',
    'mkdir A/h',
    'mount -t tmpfs fromhost A/h',
    'nsenter -t C -m -U',
    refused('EINVAL', 'umount A'),
    'exit',
  ], (kernel) => {
    expect(propagationOf(lineAt(kernel, 'C', '/A'))).toMatch(/^master:\d+$/);
    expect(propagationOf(lineAt(kernel, 'C', '/S'))).toBe(propagationOf(lineAt(kernel, 'host', '/S')));
    expect(lineAt(kernel, 'C', '/A/h')).toBeDefined();
  });
  ask('can the child user namespace unmount a locked mount, move it, clear its read-only flag or change its atime, bind it without its locked children, or rbind past an unbindable locked one?', [
    ...host,
    'unshare -U -m --propagation unchanged C',
    'nsenter -t C -m -U',
    refused('EINVAL', 'umount A/in'),
    refused('EINVAL', 'umount -l A'),
    'mkdir P/q P/r',
    refused('EINVAL', 'mount --move A/in P/q'),
    refused('EPERM', 'mount -o remount,bind,rw,nosuid none A/in'),
    refused('EPERM', 'mount -o remount,bind,ro,nosuid,noatime none A/in'),
    'mount -o remount,bind,ro,nosuid,nodev none A/in',
    'mount -o remount,bind,noexec A/in',
    refused('EINVAL', 'mount --bind A P/q'),
    'mount --rbind A P/q',
    refused('EINVAL', 'umount P/q/in'),
    'mount -t tmpfs mine P/q/in',
    'umount P/q/in',
    'mount --make-unbindable A/in',
    refused('EPERM', 'mount --rbind A P/r'),
    'mount -t tmpfs own P/r',
    'umount P/r',
    'exit',
  ]);
  ask('does a mount made on the host reach a container\'s slave copy, unlocked at its root but with its submounts locked, and one made in the container not come back?', [
    'mkdir A T',
    'mount -t tmpfs a A',
    'mount --make-shared A',
    'mount -t tmpfs t T',
    'mkdir T/leaf',
    'mount -t tmpfs leaf T/leaf',
    'unshare -U -m --propagation unchanged C',
    'mkdir A/h A/t',
    'mount -t tmpfs fromhost A/h',
    'mount --rbind T A/t',
    'nsenter -t C -m -U',
    'mkdir A/c',
    'mount -t tmpfs fromc A/c',
    refused('EINVAL', 'umount A/t/leaf'),
    'umount A/h',
    'exit',
    'umount A/t/leaf',
  ], (kernel) => {
    expect(lineAt(kernel, 'host', '/A/c')).toBeUndefined();
    expect(lineAt(kernel, 'C', '/A/c')).toBeDefined();
    expect(lineAt(kernel, 'C', '/A/t/leaf'), 'the host unmounted its leaf and the locked copy went with it').toBeUndefined();
  });
  ask('does a process with root credentials but in the container\'s mount namespace (nsenter -m without -U) still meet the locks?', [
    ...host,
    'unshare -U -m --propagation unchanged C',
    'nsenter -t C -m',
    refused('EINVAL', 'umount A/in'),
    refused('EPERM', 'mount -o remount,bind,rw,nosuid none A/in'),
    'unshare -m --propagation unchanged D',
    'exit',
    'nsenter -t D -m',
    refused('EINVAL', 'umount A'),
    'exit',
  ], (kernel) => expect(propagationOf(lineAt(kernel, 'D', '/A')), 'a copy into a namespace owned by another user namespace makes slaves').toMatch(/^master:/));

  // ---- set-group and --make-* across namespaces ---------------------------------------------

  ask('does set-group join mounts of two namespaces, from the host, in either direction, so that mounts then pass between them?', [
    ...host,
    'unshare -m C',
    'mount --set-group A /proc/C/cwd/A',
    'mount --make-shared /proc/C/cwd/P',
    'mount --set-group /proc/C/cwd/P P',
    'mkdir A/x P/x',
    'mount -t tmpfs x A/x',
    'mount -t tmpfs y P/x',
    refused('EINVAL', 'mount --set-group /proc/C/cwd/B B'),
    refused('EINVAL', 'mount --set-group /proc/C/cwd/U A'),
    refused('EINVAL', 'mount --set-group A /proc/C/cwd/A'),
  ], (kernel) => {
    expect(lineAt(kernel, 'C', '/A/x')).toBeDefined();
    expect(lineAt(kernel, 'C', '/P/x')).toBeDefined();
  });
  ask('which mount calls reach into another namespace: set-group and --make-* do, mount, bind, move, umount and remount get EINVAL?', [
    ...host,
    'unshare -m C',
    'mkdir P/q',
    refused('EINVAL', 'mount -t tmpfs x /proc/C/cwd/P'),
    refused('EINVAL', 'mount --bind /proc/C/cwd/A P/q'),
    refused('EINVAL', 'mount --bind A /proc/C/cwd/P'),
    refused('EINVAL', 'mount --move /proc/C/cwd/B P/q'),
    refused('EINVAL', 'umount /proc/C/cwd/B'),
    refused('EINVAL', 'mount -o remount,bind,ro none /proc/C/cwd/B'),
    'mount --make-unbindable /proc/C/cwd/B',
    'mkdir /proc/C/cwd/P/made-there',
  ]);
  ask('which set-group and --make-* calls get EPERM: may_mount() in a user namespace without its mount namespace, may_change_propagation() on a mount of a namespace the caller does not own?', [
    ...host,
    'unshare -U -m C',
    'nsenter -t C -U',
    refused('EPERM', 'mount --set-group A P'),
    refused('EPERM', 'mount --make-private A'),
    refused('EPERM', 'mount -t tmpfs x P'),
    refused('EPERM', 'umount A/in'),
    'unshare -U X',
    'exit',
    'nsenter -t C -m -U',
    'mount --make-shared A',
    refused('EPERM', 'mount --make-private /proc/X/cwd/P'),
    refused('EPERM', 'mount --set-group /proc/X/cwd/A P'),
    refused('EPERM', 'mount --set-group A /proc/X/cwd/P'),
    refused('EACCES', 'mount --set-group /proc/host/cwd/A P'),
    'exit',
  ]);
  ask("which set-group rules hold inside a user namespace: the locked-children rule, and the rest of do_set_group()'s ladder?", [
    ...host,
    'unshare -U -m --propagation unchanged C',
    'nsenter -t C -m -U',
    'mkdir P/r',
    'mount --rbind A P/r',
    'mount --make-private P/r',
    refused('EINVAL', 'mount --set-group A P/r'),
    'mount -t tmpfs new P/r/in',
    refused('EINVAL', 'mount --set-group P/r/in A/in'),
    'mount --make-private A/in',
    refused('EINVAL', 'mount --set-group A/in B/in'),
    'mount --make-shared A/in',
    'mount --make-private B/in',
    'mount --set-group A/in B/in',
    'exit',
  ]);
  ask('is set-group or --make-* through a process whose working directory was unmounted EINVAL (not mounted)?', [
    ...host,
    'unshare -m N',
    'nsenter -t N -m',
    'umount -l .',
    'exit',
    refused('EINVAL', 'mount --make-shared /proc/N/cwd'),
    refused('EINVAL', 'mount --set-group A /proc/N/cwd'),
  ]);

  // ---- processes and the end of a namespace --------------------------------------------------

  ask('what happens to a peer group and its slaves when one namespace dies: its members leave, a slave of them goes private, the rest keep propagating?', [
    'mkdir P Q R',
    'mount -t tmpfs p P',
    'mount --make-shared P',
    'mount -t tmpfs q Q',
    'mount --make-shared Q',
    'unshare -m --propagation unchanged C',
    'nsenter -t C -m',
    'mkdir P/n P/m',
    'mount -t tmpfs n P/n',
    'mount -t tmpfs m P/m',
    'exit',
    'mount --make-slave P/n',
    'mount --bind Q R',
    'mount --make-slave R',
    'kill C',
    'mkdir Q/after',
    'mount -t tmpfs after Q/after',
    refused('ENOENT', 'mount --make-private /proc/C/cwd/P'),
    refused('ENOENT', 'nsenter -t C -m'),
    refused('ESRCH', 'kill C'),
  ], (kernel) => {
    expect(propagationOf(lineAt(kernel, 'host', '/P/n'))).toBe('private');
    expect(propagationOf(lineAt(kernel, 'host', '/P/m'))).toMatch(/^shared:\d+$/);
    expect(lineAt(kernel, 'host', '/R/after')).toBeDefined();
  });
  ask('does a process that entered a namespace keep it alive after its holder is killed, until it exits?', [
    'mkdir P',
    'mount -t tmpfs p P',
    'mount --make-shared P',
    'unshare -m --propagation unchanged C',
    'nsenter -t C -m',
    'kill C',
    'mkdir P/inside',
    'mount -t tmpfs inside P/inside',
    'mount --make-slave P/inside',
    'exit',
    'mkdir P/later',
    'mount -t tmpfs later P/later',
  ], (kernel) => {
    expect(lineAt(kernel, 'host', '/P/inside'), 'a mount made inside after the kill reached the host').toBeDefined();
    expect(sections(kernel).has('C'), 'a killed holder names no namespace').toBe(false);
  });
  ask('which nsenter lines are refused: the own user namespace again (EINVAL), a namespace the caller has no ptrace access to (EACCES), a sibling user namespace?', [
    'mkdir A',
    'mount -t tmpfs a A',
    refused('EINVAL', 'nsenter -t host -U'),
    'nsenter -t host -m',
    'exit',
    'unshare -U -m C',
    'unshare -U -m D',
    'nsenter -t C -m -U',
    refused('EACCES', 'nsenter -t host -m'),
    refused('EACCES', 'nsenter -t D -m -U'),
    refused('EINVAL', 'nsenter -t C -U'),
    'nsenter -t C -m',
    'exit',
    'exit',
  ]);
  ask('does a propagate_from: field show the nearest dominating group a namespace can see, when the master\'s group has no member there?', [
    'mkdir A B',
    'mount -t tmpfs a A',
    'mount --make-shared A',
    'mount --bind --make-slave A B',
    'mount --make-shared B',
    'unshare -m --propagation unchanged D',
    'nsenter -t D -m',
    'mkdir D',
    'mount --bind B D',
    'mount --make-slave D',
    'mount --make-private B',
    'exit',
  ], (kernel) => expect(propagationOf(lineAt(kernel, 'D', '/D'))).toMatch(/^master:\d+ propagate_from:\d+$/));

  // ---- mount(8)'s combined forms -------------------------------------------------------------

  ask('does mount --bind --make-rslave A B (two calls, as mount(8) makes them) make B and its submounts slaves?', [
    ...host,
    'mkdir X Y Z',
    'mount --rbind --make-rslave A X',
    'mount --bind --make-private --make-shared B Y',
    'mount -t tmpfs --make-unbindable z Z',
    'mkdir A/later',
    'mount -t tmpfs later A/later',
  ], (kernel, model: ModelRun) => {
    expect(propagationOf(lineAt(kernel, 'host', '/X'))).toMatch(/^master:\d+$/);
    expect(propagationOf(lineAt(kernel, 'host', '/X/in'))).toMatch(/^master:\d+$/);
    expect(propagationOf(lineAt(kernel, 'host', '/Z'))).toBe('unbindable');
    expect(model.failures).toEqual([]);
  });
});
