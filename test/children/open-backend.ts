// Test child: what open() does here — by default, and with 'auto' — and why the kernel is unusable if it is. Prints JSON.
import { kernelUnusable, open } from '../../src/open.js';

function byDefault(): string {
  try {
    return open().backend;
  } catch (error) {
    return `${(error as Error).name} ${(error as { code?: string }).code}: ${(error as { reason?: string }).reason}`;
  }
}

process.stdout.write(JSON.stringify({ byDefault: byDefault(), auto: open({ backend: 'auto' }).backend, why: kernelUnusable() ?? null }));
