// The VM suites boot the patched kernel under QEMU, so the default config leaves them out:
// run them with `vitest run --config test/vm/vitest.config.ts` (npm run test:vm).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/vm/**/*.test.ts'],
    // One VM at a time: on 2 CPUs, parallel TCG guests only slow each other down.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
