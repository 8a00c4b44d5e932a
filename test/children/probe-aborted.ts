// Test child: a probe aborted while its child runs (a fresh process, so nothing is cached). Prints
// what the promise rejected with.
import { probe } from '../../src/promises.js';

try {
  await probe({ signal: AbortSignal.timeout(20) });
  process.stdout.write(JSON.stringify({ rejected: false }));
} catch (error) {
  process.stdout.write(JSON.stringify({ rejected: true, name: (error as Error).name }));
}
