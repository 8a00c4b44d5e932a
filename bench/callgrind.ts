// Reading callgrind's output files (valgrind --tool=callgrind, format version 1): the self cost of
// every function and of every object (binary or library), in instructions executed (Ir).
import { readFileSync } from 'node:fs';

export interface SelfCost {
  /** Ir by function name. */
  functions: Map<string, number>;
  /** Ir by object: the binary or library the code belongs to, '???' for JIT-compiled code. */
  objects: Map<string, number>;
  total: number;
}

/** "(id) name" or "(id)" or "name": names may be compressed to an id defined at first use. */
function resolveName(table: Map<string, string>, text: string): string {
  const match = /^\((\d+)\)(?: (.*))?$/.exec(text);
  if (match === null) return text;
  const [, id, name] = match as unknown as [string, string, string | undefined];
  if (name !== undefined) table.set(id, name);
  return table.get(id) ?? text;
}

function add(map: Map<string, number>, key: string, cost: number): void {
  map.set(key, (map.get(key) ?? 0) + cost);
}

/** Self cost by function and object from one callgrind output file with the single event Ir. */
export function readSelfCost(path: string): SelfCost {
  const objectNames = new Map<string, string>();
  const functionNames = new Map<string, string>();
  const functions = new Map<string, number>();
  const objects = new Map<string, number>();
  let object = '???';
  let fn = '???';
  let total = 0;
  let nextIsCallCost = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('ob=')) object = resolveName(objectNames, line.slice(3));
    else if (line.startsWith('fn=')) fn = resolveName(functionNames, line.slice(3));
    else if (line.startsWith('cob=')) resolveName(objectNames, line.slice(4));
    else if (line.startsWith('cfn=')) resolveName(functionNames, line.slice(4));
    else if (line.startsWith('calls=')) nextIsCallCost = true;
    else if (/^[\d+*-]/.test(line)) {
      if (nextIsCallCost) {
        nextIsCallCost = false; // the inclusive cost of a call, already counted in its callee
        continue;
      }
      const cost = Number(line.trim().split(/\s+/).at(-1));
      add(functions, `${fn} [${object}]`, cost);
      add(objects, object, cost);
      total += cost;
    }
  }
  return { functions, objects, total };
}

/** The `count` costliest entries of a map, most first. */
export function top(map: Map<string, number>, count: number): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
}
