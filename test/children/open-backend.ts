// Test child: which backend open() picks here, and why the kernel is unusable if it is. Prints JSON.
import { kernelUnusable, open } from '../../src/open.js';

process.stdout.write(JSON.stringify({ backend: open().backend, why: kernelUnusable() ?? null }));
