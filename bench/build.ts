// Compiling the benchmarks' C helpers (bench/c) into a temporary directory: a C program, and an
// N-API addon built against the headers of the Node that runs the benchmark.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A temporary directory for binaries, removed by `dispose()`. */
export interface BuildDir {
  path: string;
  dispose(): void;
}

export function buildDir(): BuildDir {
  const path = mkdtempSync(join(tmpdir(), 'mount-set-group-bench-'));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

function cSource(name: string): string {
  return fileURLToPath(new URL(`./c/${name}.c`, import.meta.url));
}

/** bench/c/NAME.c compiled with -O2 into `dir`; returns the binary's path. */
export function compileProgram(dir: BuildDir, name: string): string {
  const binary = join(dir.path, name);
  execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', binary, cSource(name)]);
  return binary;
}

/** Where this Node's headers are: next to its binary (distribution tarballs, Debian), or node-gyp's cache. */
function nodeHeaders(): string {
  const places = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  ];
  const found = places.find((place) => existsSync(join(place, 'node_api.h')));
  if (found === undefined) throw new Error(`no node_api.h for Node ${process.versions.node} in ${places.join(' or ')} (run npx node-gyp install)`);
  return found;
}

/** bench/c/NAME.c compiled as an N-API addon into `dir`; returns the .node file's path. */
export function compileAddon(dir: BuildDir, name: string): string {
  const addon = join(dir.path, `${name}.node`);
  const moduleName = `-DNODE_GYP_MODULE_NAME=${name.replaceAll('-', '_')}`;
  execFileSync('cc', ['-O2', '-Wall', '-Werror', '-shared', '-fPIC', moduleName, `-I${nodeHeaders()}`, '-o', addon, cSource(name)]);
  return addon;
}
