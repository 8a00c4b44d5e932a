// The propagation changes attach and detach make, named by their mount(2) flags so that they can
// travel as text to the helper that makes them inside a container's mount namespace.
import { addon } from '../native/addon.js';

export type PropagationFlag = 'MS_SLAVE' | 'MS_PRIVATE' | 'MS_REC';

/** The mount(2) flags word of a list of flag names. */
export function flagsValue(flags: readonly PropagationFlag[]): number {
  const constants = addon().constants;
  return flags.reduce((value, flag) => value | constants[flag], 0);
}

/** Flag names as one line of the helper protocol: `MS_PRIVATE|MS_REC`. */
export function flagsLine(flags: readonly PropagationFlag[]): string {
  return flags.join('|');
}

const known: readonly string[] = ['MS_SLAVE', 'MS_PRIVATE', 'MS_REC'] satisfies PropagationFlag[];

/** Flag names read back from a protocol line; undefined when the line names anything else. */
export function parseFlagsLine(line: string): PropagationFlag[] | undefined {
  const names = line.trim().split('|');
  return names.every((name) => known.includes(name)) ? (names as PropagationFlag[]) : undefined;
}
