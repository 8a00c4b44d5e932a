// Runs a scenario on the kernel and on the model, comparing them after every line.
//
// The kernel side: a KernelWorker (one child under `unshare -m --propagation private`, many
// scenarios, each on a fresh tmpfs) with `trace`, which returns the mountinfo after every line and
// each line's error code. The model side: a fresh ModelNamespace laid out the same way (sides.ts),
// run line by line. After every line both must agree on the line's outcome (success, or the same
// errno) and on the normalized mountinfo under the scenario's directory. On the model alone, after
// every line, assertInvariants() must hold and a refused line must have left the rendered mountinfo
// byte-identical.
import type fc from 'fast-check';
import { KernelWorker, type WorkerResponse } from '../../src/scenario/worker-client.js';
import { diffMountinfo, render } from '../../src/mountinfo/index.js';
import { assertInvariants, type ModelNamespaceOptions } from '../../src/model/index.js';
import { parseScenario, runScenario, type Line } from '../../src/scenario/index.js';
import type { LineFailure, NamedNamespace } from '../../src/scenario/run.js';
import type { SetGroupMethod } from '../../src/set-group/set-group.js';
import { scenarioText, type Scenario } from './generator.js';
import { kernelNamespaces, MODEL_DIR, modelNamespaces, modelSystem, normalizedUnder, type NamedEntries } from './sides.js';

export interface RunnerOptions {
  /** The model's options (its kernel version). */
  model?: ModelNamespaceOptions;
  /** The form of set-group the kernel side uses (default 'auto'). */
  setGroupMethod?: SetGroupMethod;
  /** Scenarios that take the model above this many mounts are skipped, not run on the kernel. */
  maxMounts?: number;
}

/** One side's state after a line: its errno if it failed, and the normalized mountinfo. */
export interface StepState {
  code: string | undefined;
  mountinfo: string;
}

/** Something wrong at a line: the kernel and the model part, or the model broke a rule of its own. */
export interface Finding {
  kind: 'divergence' | 'invariant';
  /** 1-based line of the scenario. */
  line: number;
  text: string;
  detail: string;
}

export interface Verdict {
  /** Lines that ran (0 when skipped). */
  ops: number;
  /** Why the scenario was not run on the kernel, when it was not. */
  skipped?: string;
  divergence?: Finding;
  violation?: Finding;
  /** Milliseconds the model took to run the scenario, without checks or tracing. */
  modelMs: number;
  /** Each line's outcome on the kernel: its errno, or undefined when it succeeded. */
  kernelCodes: (string | undefined)[];
}

const DEFAULT_MAX_MOUNTS = 2000;

/** The model's run of a scenario: its state after each line, up to the first broken rule. */
interface ModelTrace {
  steps: StepState[];
  violation?: Finding;
}

function finding(kind: Finding['kind'], line: Line, detail: string): Finding {
  return { kind, line: line.line, text: line.text, detail };
}

/** The message of something thrown, with its stack when it is a bug rather than a refusal. */
function describeThrown(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Every namespace's mountinfo as rendered, `# NAME` before each: what a refused line must leave as it was. */
function renderedNamespaces(namespaces: readonly NamedEntries[]): string {
  return namespaces.map(({ name, entries }) => `# ${name}\n${render(entries)}`).join('');
}

/**
 * Runs `lines` on a fresh model one at a time (one run: nsenter lines stay entered for the lines
 * after them), checking invariants and refusals after each.
 */
export function traceModel(lines: readonly Line[], model: ModelNamespaceOptions = {}): ModelTrace {
  const system = modelSystem(model);
  const steps: StepState[] = [];
  let before = renderedNamespaces(modelNamespaces([{ name: 'host', mountinfo: () => system.init.mountinfo() }]));
  let violation: Finding | undefined;
  const afterLine = (lineNumber: number, failure: LineFailure | undefined, namespaces: readonly NamedNamespace[]): void => {
    if (violation !== undefined) return;
    const line = lines.find((l) => l.line === lineNumber)!;
    try {
      assertInvariants(system);
    } catch (error) {
      violation = finding('invariant', line, describeThrown(error));
      return;
    }
    const state = modelNamespaces(namespaces);
    const after = renderedNamespaces(state);
    if (failure !== undefined && after !== before) {
      violation = finding('invariant', line, `the line failed (${failure.code}) but changed the model:\n${diffMountinfo(before, after)}`);
      return;
    }
    steps.push({ code: failure?.code, mountinfo: normalizedUnder(state, MODEL_DIR) });
    before = after;
  };
  try {
    runScenario(system, [...lines], { cwd: MODEL_DIR, confineTo: MODEL_DIR, afterLine });
  } catch (error) {
    violation ??= finding('invariant', lines[steps.length] ?? lines.at(-1)!, describeThrown(error));
  }
  return violation === undefined ? { steps } : { steps, violation };
}

/** The kernel's state after each line, from a traced worker response. */
export function kernelSteps(response: WorkerResponse): StepState[] {
  return response.trace!.map((step) => ({ code: step.code, mountinfo: normalizedUnder(kernelNamespaces(step), response.dir) }));
}

const shownCode = (code: string | undefined): string => code ?? 'ok';

/** The first line after which the two sides differ, with both states. */
export function firstDivergence(lines: readonly Line[], kernel: readonly StepState[], model: readonly StepState[]): Finding | undefined {
  const count = Math.min(kernel.length, model.length);
  for (let i = 0; i < count; i++) {
    const [k, m] = [kernel[i]!, model[i]!];
    const codes = k.code === m.code ? undefined : `kernel ${shownCode(k.code)}, model ${shownCode(m.code)}`;
    const tables = diffMountinfo(k.mountinfo, m.mountinfo);
    if (codes === undefined && tables === undefined) continue;
    const detail = [
      codes ?? `both ${shownCode(k.code)}`,
      tables ?? 'same mountinfo',
      '--- kernel (normalized)',
      k.mountinfo.trimEnd(),
      '--- model (normalized)',
      m.mountinfo.trimEnd(),
    ].join('\n');
    return finding('divergence', lines[i]!, detail);
  }
  return undefined;
}

/** The findings of a verdict, divergence first. */
export function findingsOf(verdict: Verdict): Finding[] {
  return [verdict.divergence, verdict.violation].filter((f): f is Finding => f !== undefined);
}

const indent = (text: string): string => text.replace(/^/gm, '    ');

/** A finding as a report: what it is, the scenario (ready to paste into a regression test), where and how the sides part. */
export function describeFinding(scenario: Scenario, found: Finding, note: string): string {
  const what = found.kind === 'divergence' ? 'divergence between the kernel and the model' : 'model invariant violation';
  return [`${what} (${note}):`, indent(scenarioText(scenario)), `  after line ${found.line} (${found.text}):`, indent(found.detail)].join('\n');
}

/** Milliseconds `body` takes. */
function timed(body: () => void): number {
  const start = performance.now();
  body();
  return performance.now() - start;
}

/** Runs scenarios on one kernel worker and on fresh models. One scenario at a time. */
export class DifferentialRunner {
  #worker = new KernelWorker();
  readonly #options: RunnerOptions;

  constructor(options: RunnerOptions = {}) {
    this.#options = options;
  }

  /** Runs `scenario` on both sides and says where they part, if they do. */
  async check(scenario: Scenario): Promise<Verdict> {
    const script = scenarioText(scenario);
    const lines = parseScenario(script);
    let mounts = 0;
    const modelMs = timed(() => {
      const system = modelSystem(this.#options.model);
      runScenario(system, lines, { cwd: MODEL_DIR, confineTo: MODEL_DIR, afterLine: () => (mounts = Math.max(mounts, system.init.mountCount)) });
    });
    const maxMounts = this.#options.maxMounts ?? DEFAULT_MAX_MOUNTS;
    if (mounts > maxMounts) return { ops: 0, skipped: `the model reaches ${mounts} mounts (more than ${maxMounts})`, modelMs, kernelCodes: [] };
    const response = this.#worker.run({ script, trace: true, ...this.#methodOption() });
    const model = traceModel(lines, this.#options.model);
    const kernel = kernelSteps(await response);
    const verdict: Verdict = { ops: lines.length, modelMs, kernelCodes: kernel.map((step) => step.code) };
    const divergence = firstDivergence(lines, kernel, model.steps);
    if (divergence !== undefined) verdict.divergence = divergence;
    if (model.violation !== undefined) verdict.violation = model.violation;
    return verdict;
  }

  /** Milliseconds the kernel worker takes for `scenario` untraced: the round trip, a fresh tmpfs and its cleanup included. */
  async kernelRoundTrip(scenario: Scenario): Promise<number> {
    const start = performance.now();
    await this.#worker.run({ script: scenarioText(scenario), ...this.#methodOption() });
    return performance.now() - start;
  }

  #methodOption(): { setGroupMethod?: SetGroupMethod } {
    return this.#options.setGroupMethod === undefined ? {} : { setGroupMethod: this.#options.setGroupMethod };
  }

  /** Ends the worker (and every mount of its namespace). */
  close(): Promise<void> {
    return this.#worker.close();
  }
}

/**
 * fast-check's shrinking loop, over the kernel: take the first shrink of `scenario` for which
 * `stillFails` holds, and start again from it, until none does. Returns the last failing scenario.
 */
export async function shrinkScenario(
  arbitrary: fc.Arbitrary<Scenario>,
  scenario: Scenario,
  stillFails: (candidate: Scenario) => Promise<boolean>,
): Promise<Scenario> {
  let current = scenario;
  for (let shrunk = true; shrunk; ) {
    shrunk = false;
    for (const candidate of arbitrary.shrink(current, undefined)) {
      if (!(await stillFails(candidate.value))) continue;
      current = candidate.value;
      shrunk = true;
      break;
    }
  }
  return current;
}
