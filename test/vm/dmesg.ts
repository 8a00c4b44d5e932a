// Problems in a guest kernel's log: the lines with which the kernel reports a bug in itself (BUG,
// WARNING, oops, lockdep reports, a stack dump). A VM suite that stresses the kernel checks the log
// with dmesgProblems() after its run; an empty list means the kernel reported nothing wrong.

export type DmesgProblemKind = 'lockdep' | 'BUG' | 'WARNING' | 'oops' | 'panic' | 'oom' | 'call trace';

export interface DmesgProblem {
  kind: DmesgProblemKind;
  /** The log line as it was, timestamp included. */
  line: string;
}

/** The subjects of lockdep's reports (the "WARNING:", "BUG:" and "INFO:" lines of kernel/locking/lockdep.c). */
const LOCKDEP_SUBJECTS = [
  'possible circular locking dependency', 'possible recursive locking', 'possible irq lock inversion',
  'lock order detected', 'inconsistent lock state', 'bad unlock balance', 'bad contention', 'held lock freed',
  'still has locks held', 'lock held when returning to user space', 'Nested lock was not taken', 'chain_key collision',
  'suspicious RCU usage', 'MAX_LOCK', 'has not been registered', 'invalid subclass', 'non-static key', 'lockdep is turned off',
];

/** What each kind looks like, tried in this order on a line without its `[time]` stamps: lockdep's reports open with "WARNING:" or "BUG:" too. */
const PATTERNS: readonly [DmesgProblemKind, RegExp][] = [
  ['lockdep', new RegExp(`^(?:WARNING|BUG|INFO): .*(?:${LOCKDEP_SUBJECTS.join('|')})`)],
  ['BUG', /^BUG: |^kernel BUG at /],
  ['WARNING', /^WARNING: /],
  ['oops', /^Oops: |^general protection fault/],
  ['panic', /^Kernel panic - /],
  ['oom', / invoked oom-killer: /],
  ['call trace', /^Call Trace:/],
];

/** A log line without its leading `[ 12.345678]` stamps (dmesg's, and the `[ C3]`/`[T42]` caller ids some kernels add). */
function withoutStamps(line: string): string {
  return line.replace(/^(?:\s*\[[^\]]*\])*\s*/, '');
}

/** The kind of problem `line` reports, or undefined for an ordinary line. */
export function problemKind(line: string): DmesgProblemKind | undefined {
  const text = withoutStamps(line);
  return PATTERNS.find(([, pattern]) => pattern.test(text))?.[0];
}

/** Every line of a kernel log that reports a problem of the kernel's own, in log order. */
export function dmesgProblems(log: string): DmesgProblem[] {
  const problems: DmesgProblem[] = [];
  for (const line of log.split('\n')) {
    const kind = problemKind(line);
    if (kind) problems.push({ kind, line });
  }
  return problems;
}
