// Choosing between KVM and TCG. /dev/kvm may exist and still be unusable (here QEMU 7.2 aborts on
// an MSR assertion or the guest hangs), so KVM is only a candidate: the runner tries it with a short
// boot deadline and falls back to TCG, and a KVM found broken is remembered (per host kernel and
// QEMU binary) in the cache directory, so that later runs go straight to TCG.
import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { kernelCacheRoot } from './kernel-cache.js';

/** What the caller asks for: a fixed accelerator, or KVM when it works and TCG otherwise. */
export type AccelChoice = 'auto' | 'kvm' | 'tcg';

/** How long a KVM guest may take to reach init before KVM counts as hanging (TCG needs about 2.5 s). */
export const KVM_BOOT_DEADLINE_MS = 10_000;

/** The file that records a broken KVM. */
function memoFile(): string {
  return join(dirname(kernelCacheRoot()), 'kvm-broken.json');
}

/** What a KVM verdict depends on: the host kernel and the QEMU binary. */
function hostIdentity(qemu: string): string {
  const st = statSync(qemu);
  return `${release()} ${qemu} ${st.size} ${Math.trunc(st.mtimeMs)}`;
}

/** True when /dev/kvm can be opened for reading and writing. */
function kvmDeviceUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when an earlier run found KVM broken on this host with this QEMU. */
function knownBroken(qemu: string): boolean {
  try {
    const memo = JSON.parse(readFileSync(memoFile(), 'utf8')) as { host?: string };
    return memo.host === hostIdentity(qemu);
  } catch {
    return false;
  }
}

/** Records that KVM does not work here, and why. */
export function rememberKvmBroken(qemu: string, reason: string): void {
  mkdirSync(dirname(memoFile()), { recursive: true });
  writeFileSync(memoFile(), `${JSON.stringify({ host: hostIdentity(qemu), reason, at: new Date().toISOString() })}\n`);
}

/** The accelerator to try first for `choice`. */
export function firstAccel(choice: AccelChoice, qemu: string): 'kvm' | 'tcg' {
  if (choice !== 'auto') return choice;
  return kvmDeviceUsable() && !knownBroken(qemu) ? 'kvm' : 'tcg';
}
