// Set-group's rules, in the order do_set_group() (fs/namespace.c) checks them, as one table: the model
// walks it to refuse a call, the kernel backend to explain a refusal it saw (the kernel says only
// EINVAL or EPERM). Each rule looks at a small view of both sides — what the model knows of a mount,
// or what mountinfo shows of it — and names what is wrong in words a person can act on.
import { isAtOrUnder } from './place.js';

/** Which side of set-group a rule speaks of. */
export type Side = 'source' | 'target';

/** What the rules look at on one side: the mount its path landed on. */
export interface SetGroupSide {
  /** How errors name the side: a path, or 'fd 7'. */
  shown: string;
  /** Mounted in some mount namespace (is_mounted()); a mount whose namespace died is not. */
  mounted: boolean;
  /** The caller has CAP_SYS_ADMIN over the user namespace owning the mount's namespace; undefined where it cannot be seen. */
  capable?: boolean;
  /** The path is the root of its mount (path_mounted()). */
  isRoot: boolean;
  /** Where the mount is mounted, for reasons (computed only when a reason needs it). */
  mountPoint(): string;
  /** The mount's superblock, as mountinfo's MAJOR:MINOR. */
  superblock: string;
  /** The mount's root directory in its filesystem. */
  root: string;
  /** Its peer group (shared:N) and its master's (master:N). */
  shared?: number;
  master?: number;
}

/** One set-group call as the rules see it. */
export interface SetGroupCall {
  source: SetGroupSide;
  target: SetGroupSide;
  /** may_mount(): the caller has CAP_SYS_ADMIN over its own mount namespace; undefined where it cannot be seen. */
  callerMayMount?: boolean;
  /** The source has locked mounts where the target's root lies; undefined where it cannot be seen (mountinfo does not show locks). */
  lockedChildrenAtTargetRoot?: boolean;
}

export interface SetGroupRule {
  /** The errno the kernel returns when the rule is broken. */
  code: 'EPERM' | 'EINVAL';
  /** Whether `call` breaks the rule; undefined where what it looks at cannot be seen. */
  broken(call: SetGroupCall): boolean | undefined;
  /** What is wrong, for an error's `reason`. */
  reason(call: SetGroupCall): string;
}

const sides = (call: SetGroupCall): [Side, SetGroupSide][] => [['source', call.source], ['target', call.target]];

/** The first side for which `failing` holds, or the first whose answer cannot be seen. */
function sideWhere(call: SetGroupCall, failing: (side: SetGroupSide) => boolean | undefined): [Side, SetGroupSide] {
  return sides(call).find(([, side]) => failing(side) === true) ?? sides(call).find(([, side]) => failing(side) === undefined) ?? sides(call)[0]!;
}

/** Whether a check holds on both sides: false if it fails on one, undefined if it cannot be seen on one. */
function onBothSides(call: SetGroupCall, holds: (side: SetGroupSide) => boolean | undefined): boolean | undefined {
  const answers = [holds(call.source), holds(call.target)];
  if (answers.includes(false)) return false;
  return answers.includes(undefined) ? undefined : true;
}

const isPrivate = (side: SetGroupSide): boolean => side.shared === undefined && side.master === undefined;

/** Set-group's rules in the kernel's order: may_mount() at the syscall's entry, then do_set_group()'s ladder. */
export const SET_GROUP_RULES: readonly SetGroupRule[] = [
  {
    /* may_mount(): CAP_SYS_ADMIN over the caller's own mount namespace */
    code: 'EPERM',
    broken: (call) => (call.callerMayMount === undefined ? undefined : !call.callerMayMount),
    reason: () => setGroupRule.callerMayNotMount(),
  },
  {
    /* To and From mounts should be mounted */
    code: 'EINVAL',
    broken: (call) => negate(onBothSides(call, (side) => side.mounted)),
    reason: (call) => setGroupRule.notMounted(sideWhere(call, (side) => !side.mounted)[0]),
  },
  {
    /* We should be allowed to modify mount namespaces of both mounts */
    code: 'EPERM',
    broken: (call) => negate(onBothSides(call, (side) => side.capable)),
    reason: (call) => {
      const known = sides(call).filter(([, side]) => side.capable === false);
      return setGroupRule.noCapability(known.length === 1 ? known[0]![0] : undefined);
    },
  },
  {
    /* To and From paths should be mount roots */
    code: 'EINVAL',
    broken: (call) => !(call.source.isRoot && call.target.isRoot),
    reason: (call) => {
      const [side, view] = sideWhere(call, (s) => !s.isRoot);
      return setGroupRule.notMountRoot(side, view.shown, view.mountPoint());
    },
  },
  {
    /* Setting sharing groups is only allowed across same superblock */
    code: 'EINVAL',
    broken: (call) => call.source.superblock !== call.target.superblock,
    reason: (call) => setGroupRule.differentSuperblock(call.source.superblock, call.target.superblock),
  },
  {
    /* From mount root should be wider than To mount root */
    code: 'EINVAL',
    broken: (call) => !isAtOrUnder(call.target.root, call.source.root),
    reason: (call) => setGroupRule.targetRootOutsideSource(call.target.root, call.source.root),
  },
  {
    /* From mount should not have locked children in place of To's root */
    code: 'EINVAL',
    broken: (call) => call.lockedChildrenAtTargetRoot,
    reason: () => setGroupRule.lockedChildren(),
  },
  {
    /* Setting sharing groups is only allowed on private mounts */
    code: 'EINVAL',
    broken: (call) => !isPrivate(call.target),
    reason: (call) =>
      isPrivate(call.source)
        ? setGroupRule.argumentsSwapped(call.source.shown, call.target.shown, describePropagation(call.target))
        : setGroupRule.targetNotPrivate(describePropagation(call.target)),
  },
  {
    /* From should not be private */
    code: 'EINVAL',
    broken: (call) => isPrivate(call.source),
    reason: () => setGroupRule.sourcePrivate(),
  },
];

function negate(answer: boolean | undefined): boolean | undefined {
  return answer === undefined ? undefined : !answer;
}

/** The first rule `call` breaks, in the kernel's order (every check must be answerable: the model's case). */
export function brokenSetGroupRule(call: SetGroupCall): SetGroupRule | undefined {
  return SET_GROUP_RULES.find((rule) => rule.broken(call) === true);
}

/**
 * The rule a refusal with errno `code` broke, as far as the views show: the first rule of that code
 * seen broken, else the first of that code that cannot be seen (for EINVAL with every visible rule
 * kept: locked children).
 */
export function ruleBehindRefusal(code: string, call: SetGroupCall): SetGroupRule | undefined {
  const ofCode = SET_GROUP_RULES.filter((rule) => rule.code === code);
  return ofCode.find((rule) => rule.broken(call) === true) ?? ofCode.find((rule) => rule.broken(call) === undefined);
}

/** The sentences of set-group's rules, also used where attach and detach enforce the same rule. */
export const setGroupRule = {
  callerMayNotMount: () => 'this process lacks CAP_SYS_ADMIN, which every mount call needs: run it as root',
  notMounted: (side: Side) =>
    `the ${side} is not mounted in any namespace this process can see (a mount namespace dies with ` +
    'its last process, and its mounts with it: keep a process in it while you use its mounts)',
  noCapability: (side?: Side) =>
    `the caller lacks CAP_SYS_ADMIN over the user namespace that owns ${side === undefined ? "the source's or the target's" : `the ${side}'s`} mount ` +
    "namespace (a process in a child user namespace cannot join mounts of its parent's namespace)",
  notMountRoot: (side: Side, path: string, mountPoint: string) =>
    `the ${side} '${path}' is not the root of a mount (it lies inside the mount at '${mountPoint}'); set-group joins whole mounts`,
  differentSuperblock: (source: string, target: string) =>
    `source and target are mounts of different filesystems (device ${source} and ${target}); only mounts of one superblock can share a group`,
  targetRootOutsideSource: (targetRoot: string, sourceRoot: string) =>
    `the target's root '${targetRoot}' is not inside the source's root '${sourceRoot}' in their filesystem; ` +
    'use the mount with the wider root as the source',
  lockedChildren: () =>
    "the source has locked mounts (inherited by a less privileged namespace) at the target's root, which the target would expose",
  targetNotPrivate: (state: string) => `the target is already ${state}; make it private first (mount --make-private)`,
  argumentsSwapped: (source: string, target: string, targetState: string) =>
    `the arguments look swapped: the target '${target}' is ${targetState} and the source '${source}' is private; ` +
    'set-group takes the mount whose group is joined first, then the private mount that joins it',
  sourcePrivate: () =>
    'the source is private: it has neither a peer group nor a master to join; make it shared or a slave first',
} as const;

/** A mount's propagation in words, as reasons say it: 'shared (shared:3)', 'a slave (master:1)', 'private'. */
export function describePropagation(mount: { shared?: number; master?: number }): string {
  const states = [];
  if (mount.shared !== undefined) states.push(`shared (shared:${mount.shared})`);
  if (mount.master !== undefined) states.push(`a slave (master:${mount.master})`);
  return states.length === 0 ? 'private' : states.join(' and ');
}
