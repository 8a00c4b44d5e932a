// Applying a plan to a MountNamespace, step by step; the first failure stops it (a half-restored
// namespace is reported with the step that failed, never papered over).
import type { MountHandle, MountNamespace } from '../core/namespace.js';
import type { PathGuard } from './guard.js';
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
  /** Asked before each step about every path it touches (to refuse one through a symlink), and told of each step done. */
  guard?: PathGuard;
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
    case 'mount': {
      const options = [...step.flags, step.data].filter((option) => option !== '').join(',');
      return `mount -t ${word(step.fsType)}${options ? ` -o ${word(options)}` : ''} ${word(step.source)} ${word(step.target)}`;
    }
    case 'remount':
      // With a source, mount(8) sets exactly these flags; with DIR alone it would add them to the mount's own.
      return `mount -o ${['remount', 'bind', ...step.flags].join(',')} none ${targetWord(step.target)}`;
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
export function pathsOf(step: PlanStep): string[] {
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
    case 'remount':
      return typeof step.target === 'string' ? [step.target] : [];
    case 'setGroup':
      return [step.source, step.target].filter((t): t is string => typeof t === 'string');
    case 'unpin':
      return [];
  }
}

/** What applying a plan cost: mount syscalls (mount, set-group, umount), mkdirs, and pins (opens). */
export interface ApplyCounts {
  steps: number;
  mountCalls: number;
  mkdirs: number;
  pins: number;
}

/** Runs the steps of `plan` on `ns`, and counts the calls by kind. */
export function applyPlan(ns: MountNamespace, plan: Plan, options: ApplyOptions = {}): ApplyCounts {
  const pins = new Map<string, MountHandle>();
  const resolve = (target: Target): string | MountHandle => (typeof target === 'string' ? target : pins.get(target.pin)!);
  const counts: ApplyCounts = { steps: plan.steps.length, mountCalls: 0, mkdirs: 0, pins: 0 };
  try {
    plan.steps.forEach((step, i) => {
      try {
        for (const path of pathsOf(step)) options.guard?.check(path);
        applyStep(ns, step, pins, resolve);
        options.guard?.applied(step);
        counts[kindOf(step)]++;
      } catch (error) {
        throw new RestoreStepError(i, formatStep(step), error);
      }
      options.progress?.(i + 1, plan.steps.length);
    });
  } finally {
    for (const handle of pins.values()) ns.unpin(handle);
  }
  return counts;
}

/** Which count a step adds to (unpin is a close: counted with its pin). */
function kindOf(step: PlanStep): 'mountCalls' | 'mkdirs' | 'pins' {
  if (step.op === 'mkdir') return 'mkdirs';
  if (step.op === 'pin' || step.op === 'unpin') return 'pins';
  return 'mountCalls';
}

/** One step on the namespace. */
function applyStep(ns: MountNamespace, step: PlanStep, pins: Map<string, MountHandle>, resolve: (target: Target) => string | MountHandle): void {
  switch (step.op) {
    case 'mkdir':
      return ns.mkdir(step.path, { recursive: true });
    case 'mount':
      return ns.mount(step.fsType, step.source, step.target, { flags: step.flags, data: step.data });
    case 'remount':
      return ns.remountBind(resolve(step.target), step.flags);
    case 'bind':
      return ns.bind(step.source, step.target);
    case 'pin':
      pins.set(step.name, ns.pin(step.path));
      return;
    case 'propagation':
      return ns.changePropagation(resolve(step.target), step.type);
    case 'setGroup':
      return ns.setGroup(resolve(step.source), resolve(step.target));
    case 'umount':
      return ns.umount(step.target, { lazy: true });
    case 'unpin':
      ns.unpin(pins.get(step.name)!);
      pins.delete(step.name);
      return;
  }
}
