// What this process may do, read from /proc/self/status.
import { readFileSync } from 'node:fs';

/** CAP_SYS_ADMIN's bit in the capability sets of /proc/self/status. */
const CAP_SYS_ADMIN = 21n;

/** may_mount(): whether this process holds CAP_SYS_ADMIN in its effective set (every mount call needs it). */
export function mayMount(): boolean {
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return effective !== undefined && ((BigInt(`0x${effective}`) >> CAP_SYS_ADMIN) & 1n) === 1n;
}
