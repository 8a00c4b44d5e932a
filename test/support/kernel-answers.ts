// The kernel's answers, recorded: a suite that checks the model against the kernel asks the live
// kernel where it can (root and unshare: CI always can) and, where it cannot, reads what the kernel
// answered when it last could, from test/kernel-answers/<kernel>/<suite>.json. Wherever the live
// kernel answers, it also checks the record: an answer that changed fails (the record is stale),
// and MOUNT_SET_GROUP_RECORD=1 writes the live answers anew. Records are kept per model kernel
// version (6.18 on hosts, 6.12 in the VM), and only for the versions recorded.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import { runningKernelVersion } from '../differential/sides.js';
import { kernelUnavailable } from './kernel.js';

const RECORD_VARIABLE = 'MOUNT_SET_GROUP_RECORD';

function recordFile(suite: string): string {
  return new URL(`../kernel-answers/${runningKernelVersion}/${suite}.json`, import.meta.url).pathname;
}

/** Why a suite's kernel answers can be neither asked nor recalled here; undefined when they can. */
export function kernelAnswersUnavailable(suite: string): string | undefined {
  if (!kernelUnavailable || existsSync(recordFile(suite))) return undefined;
  return `${kernelUnavailable}, and no answers of a ${runningKernelVersion} kernel are recorded for ${suite}`;
}

/** A suite name that says whether its kernel answers are live or recorded, and why it is skipped, when it is. */
export function kernelAnswersSuite(name: string, suite: string): string {
  const why = kernelAnswersUnavailable(suite);
  if (why) return `${name} [skipped: ${why}]`;
  return kernelUnavailable ? `${name} [the kernel's recorded answers: ${kernelUnavailable}]` : name;
}

/**
 * The kernel's answers for `suite`: `ask()`ed live (and written to the record when asked to), else
 * recalled from the record. `recorded` keeps what is the kernel's own and the same on every machine
 * of a version (the default keeps everything).
 */
export function kernelAnswers<T>(suite: string, ask: () => T, recorded: (live: T) => T = (live) => live): T {
  const file = recordFile(suite);
  if (kernelUnavailable) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const live = ask();
  if (process.env[RECORD_VARIABLE]) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(recorded(live), null, 1)}\n`);
  }
  return live;
}

/** The kernel versions whose answers are kept (a host's; the VM's 6.12 answers live only). */
const RECORDED_VERSIONS: readonly string[] = ['6.18'];

/** Why the record of a suite cannot be checked against the live kernel here; undefined when it can. */
function recordCheckUnavailable(): string | undefined {
  if (kernelUnavailable) return `no live kernel to compare it with (${kernelUnavailable})`;
  if (process.env[RECORD_VARIABLE]) return `${RECORD_VARIABLE} is set: the record is being written`;
  return undefined;
}

/** Expects the live answers, as a record keeps them, to be the recorded ones. */
function expectRecordCurrent<T>(suite: string, live: T): void {
  const file = recordFile(suite);
  const rerecord = `run this suite with ${RECORD_VARIABLE}=1 to record it`;
  if (!existsSync(file)) throw new Error(`no record of the kernel's answers at ${file}: ${rerecord}`);
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as T;
  expect(JSON.parse(JSON.stringify(live)), `the kernel no longer answers as ${file} records: ${rerecord} anew`).toEqual(recorded);
}

/**
 * Registers the test that checks a suite's record against the live kernel's answers as a record
 * keeps them (skipped, saying why, where it cannot). On a kernel whose answers are kept nowhere (the
 * VM's 6.12) there is no record to check, and no test: the suite's answers there are all live.
 */
export function itKeepsRecordCurrent<T>(suite: string, live: () => T): void {
  if (!RECORDED_VERSIONS.includes(runningKernelVersion)) return;
  const why = recordCheckUnavailable();
  it.skipIf(why)(`the record of the kernel's answers (${suite}) is what the kernel answers now${why ? ` [skipped: ${why}]` : ''}`, () =>
    expectRecordCurrent(suite, live()),
  );
}
