// The floor addon (bench/c/napi-floor.c), compiled at run time by the cycle benchmarks: the set-group
// cycle's N-API calls with their arguments and no system call, and the C cycle's loop.
import { createRequire } from 'node:module';

/** What the floor addon exports. */
export interface FloorAddon {
  empty(): void;
  setGroupShape(from: string, to: string): number;
  propagationShape(target: string, flags: number): number;
  cLoop(from: string, to: string, count: number): number;
}

/** The floor addon compiled at `path`. */
export function loadFloorAddon(path: string): FloorAddon {
  return createRequire(import.meta.url)(path) as FloorAddon;
}
