// Applying a plan to a MountNamespace, step by step; the first failure stops it (a half-restored
// namespace is reported with the step that failed, never papered over).
import type { MountHandle, MountNamespace } from '../namespace.js';
import type { Plan, PlanStep, Target } from './plan.js';

/** A plan step the namespace refused: which one, and the error. */
export class RestoreStepError extends Error {
  override name = 'RestoreStepError';
  readonly code = 'ERR_RESTORE_STEP';
  readonly step: number;

  constructor(step: number, text: string, cause: unknown) {
    super(`restore step ${step + 1} failed: ${text}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.step = step;
  }
}

export interface ApplyOptions {
  /** Called before each step that touches `path`, to refuse one (e.g. through a symlink). */
  guard?: (path: string) => void;
  /** Called after each step with how many are done. */
  progress?: (done: number, total: number) => void;
}

/** Shell-like quoting for the printed form of a plan. */
function word(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  return JSON.stringify(text);
}

function targetWord(target: Target): string {
  return typeof target === 'string' ? word(target) : `@${target.pin}`;
}

/** One step as the scenario language (plus `pin`/`unpin` of mounts held by reference) writes it. */
export function formatStep(step: PlanStep): string {
  switch (step.op) {
    case 'mkdir':
      return `mkdir -p ${word(step.path)}`;
    case 'mount':
      return `mount -t ${word(step.fsType)}${step.data ? ` -o ${word(step.data)}` : ''} ${word(step.source)} ${word(step.target)}`;
    case 'bind':
      return `mount --bind ${word(step.source)} ${word(step.target)}`;
    case 'pin':
      return `pin @${step.name} ${word(step.path)}`;
    case 'propagation':
      return `mount --make-${step.type} ${targetWord(step.target)}`;
    case 'setGroup':
      return `mount --set-group ${targetWord(step.source)} ${targetWord(step.target)}`;
    case 'umount':
      return `umount -l ${word(step.target)}`;
    case 'unpin':
      return `unpin @${step.name}`;
  }
}

/** The paths a step touches, for the guard. */
function pathsOf(step: PlanStep): string[] {
  switch (step.op) {
    case 'mkdir':
      return [step.path];
    case 'mount':
    case 'umount':
      return [step.target];
    case 'bind':
      return [step.source, step.target];
    case 'pin':
      return [step.path];
    case 'propagation':
      return typeof step.target === 'string' ? [step.target] : [];
    case 'setGroup':
      return [step.source, step.target].filter((t): t is string => typeof t === 'string');
    case 'unpin':
      return [];
  }
}

/** Runs the steps of `plan` on `ns`; returns how many mount syscalls (all but mkdir) it made. */
export function applyPlan(ns: MountNamespace, plan: Plan, options: ApplyOptions = {}): { steps: number; mountCalls: number } {
  const pins = new Map<string, MountHandle>();
  const resolve = (target: Target): string | MountHandle => (typeof target === 'string' ? target : pins.get(target.pin)!);
  let mountCalls = 0;
  try {
    plan.steps.forEach((step, i) => {
      try {
        for (const path of pathsOf(step)) options.guard?.(path);
        if (applyStep(ns, step, pins, resolve)) mountCalls++;
      } catch (error) {
        throw new RestoreStepError(i, formatStep(step), error);
      }
      options.progress?.(i + 1, plan.steps.length);
    });
  } finally {
    for (const handle of pins.values()) ns.unpin(handle);
  }
  return { steps: plan.steps.length, mountCalls };
}

/** One step; true when it was a mount syscall (not mkdir). */
function applyStep(ns: MountNamespace, step: PlanStep, pins: Map<string, MountHandle>, resolve: (target: Target) => string | MountHandle): boolean {
  switch (step.op) {
    case 'mkdir':
      ns.mkdir(step.path, { recursive: true });
      return false;
    case 'mount':
      ns.mount(step.fsType, step.source, step.target, { data: step.data });
      return true;
    case 'bind':
      ns.bind(step.source, step.target);
      return true;
    case 'pin':
      pins.set(step.name, ns.pin(step.path));
      return false;
    case 'propagation':
      ns.changePropagation(resolve(step.target), step.type);
      return true;
    case 'setGroup':
      ns.setGroup(resolve(step.source), resolve(step.target));
      return true;
    case 'umount':
      ns.umount(step.target, { lazy: true });
      return true;
    case 'unpin':
      ns.unpin(pins.get(step.name)!);
      pins.delete(step.name);
      return false;
  }
}
