// What both set-group cycle children stand on: the floor addon (bench/c/napi-floor.c) and the
// cycle's two mounts on a scratch tmpfs — `a` shared, `b` a private bind of it, ready to join.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as sys from '../../src/native/syscalls.js';

/** The floor addon: the cycle's N-API calls with their arguments and no system call. */
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

/** Makes `dir/a` a shared tmpfs and `dir/b` a private bind of it: the pair every cycle joins. */
export function cycleMounts(dir: string): { a: string; b: string } {
  const { MS_BIND, MS_SHARED } = sys.addon().constants;
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  mkdirSync(a);
  mkdirSync(b);
  sys.mount('bench', a, 'tmpfs', 0, null);
  sys.mount(a, b, null, MS_BIND, null);
  sys.changePropagation(a, MS_SHARED);
  return { a, b };
}
