import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // VM tests boot a kernel under QEMU: `npm run test:vm`.
    exclude: ['test/vm/**', 'node_modules/**'],
    // The test runner must never change mounts: the addon refuses to load in it. Kernel tests run
    // their syscalls in children under `unshare -m --propagation private` (src/process/child.ts).
    env: { MOUNT_SET_GROUP_NO_SYSCALLS: '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
