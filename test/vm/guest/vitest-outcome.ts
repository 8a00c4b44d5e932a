// A vitest reporter for a test run inside the guest: it writes every test's state and errors, and
// the errors of test modules and suites (a failed beforeAll, a module that does not load), as the
// guest job's JSON result. vitest's own JSON reporter drops suite errors: the tests of a suite whose
// beforeAll failed show there as merely skipped.
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import { writeResult } from './result.js';

type ReportedError = ReturnType<TestModule['errors']>[number];

export interface InnerTest {
  /** The test file, relative to the project root. */
  module: string;
  /** Suites and test name, joined with ' > '. */
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  errors: string[];
}

export interface InnerError {
  /** The module, or module and suite, the error belongs to; 'unhandled' for errors outside any test. */
  where: string;
  message: string;
}

export interface InnerOutcome {
  reason: TestRunEndReason;
  /** Every test module that was collected, relative to the project root. */
  modules: string[];
  tests: InnerTest[];
  errors: InnerError[];
}

/** An error as text: its stack (or name and message) without vitest's own frames, and the expected/actual diff when there is one. */
function errorText(error: ReportedError): string {
  const lines = (error.stack ?? `${error.name}: ${error.message}`).split('\n');
  const head = lines.filter((line) => !/^\s+at .*(?:\/node_modules\/|<anonymous>)/.test(line)).slice(0, 8).join('\n');
  return error.diff ? `${head}\n${error.diff}` : head;
}

/** The tests of a module with their states and errors. */
function testsOf(module: TestModule): InnerTest[] {
  return [...module.children.allTests()].map((test) => {
    const result = test.result();
    return { module: module.relativeModuleId, name: test.fullName, state: result.state, errors: (result.errors ?? []).map(errorText) };
  });
}

/** The errors of a module itself and of each of its suites. */
function errorsOf(module: TestModule): InnerError[] {
  const own = module.errors().map((error) => ({ where: module.relativeModuleId, message: errorText(error) }));
  const suites = [...module.children.allSuites()].flatMap((suite) =>
    suite.errors().map((error) => ({ where: `${module.relativeModuleId} > ${suite.fullName}`, message: errorText(error) })));
  return [...own, ...suites];
}

/** Writes the run's outcome as the guest job's result. */
export default class OutcomeReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<ReportedError>, reason: TestRunEndReason): void {
    const outcome: InnerOutcome = {
      reason,
      modules: testModules.map((module) => module.relativeModuleId),
      tests: testModules.flatMap(testsOf),
      errors: [
        ...testModules.flatMap(errorsOf),
        ...unhandledErrors.map((error) => ({ where: 'unhandled', message: errorText(error) })),
      ],
    };
    writeResult(outcome);
  }
}
