// Shared by the VM suites: whether a VM can run here (and why not), and output collectors.
import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { findExecutable } from '../../src/vm/host.js';
import { defaultKernel } from '../../src/vm/kernel-cache.js';
import { QEMU_BINARY } from '../../src/vm/qemu.js';

/** The patched kernel to boot, or why the VM suites must skip. */
export function vmPrerequisites(): { kernel: string } | { skip: string } {
  if (!findExecutable(QEMU_BINARY)) return { skip: `${QEMU_BINARY} is not installed (apt-get install qemu-system-x86)` };
  const kernel = defaultKernel();
  if ('missing' in kernel) return { skip: kernel.missing };
  return { kernel: kernel.path };
}

/** The kernel path, or undefined after printing why the suite skips. */
export function kernelOrSkip(suite: string): string | undefined {
  const found = vmPrerequisites();
  if ('skip' in found) {
    console.warn(`skipping ${suite}: ${found.skip}`);
    return undefined;
  }
  return found.kernel;
}

/** A stream that keeps what is written to it. */
export function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

/** Pids of QEMU processes whose parent is this process. */
export function childQemus(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.includes('qemu-system')) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
