// The user's paths: pack the package, install the tarball into an empty project with npm's default
// settings (npm 11 blocks dependencies' install scripts, so nothing is built there), then use it —
// import, require(), probe(), a real setGroup() in a child under `unshare -m --propagation private`,
// and the CLI through npx. The addon can only come from the prebuild the tarball carries. And the
// same from the git repository (its committed HEAD), which npm packs after running prepare.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...childEnv } = process.env;

/** Files a published package may hold, and the ones it must (docs/ and kernel-patch/ are what its messages point to). */
const allowed = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^binding\.gyp$/, /^csrc\/[\w.-]+\.cc$/, /^dist\/.+\.(js|d\.ts)$/,
  /^prebuilds\/linux-x64\/mount-set-group\.glibc\.node$/, /^docs\/[\w-]+\.md$/, /^kernel-patch\/[\w.-]+$/,
];
const required = [
  'package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/promises.js', 'dist/cli/main.js',
  'prebuilds/linux-x64/mount-set-group.glibc.node', 'docs/attach.md', 'kernel-patch/vm.config',
];

/**
 * The package's sources copied to `dir` (node_modules linked), so that packing builds there: prebuildify
 * rebuilds and then removes build/, which must not happen under the feet of tests running meanwhile.
 */
function copyOfPackage(dir: string): string {
  mkdirSync(dir);
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'binding.gyp', 'tsconfig.json', 'tsconfig.build.json', 'csrc', 'src', 'docs', 'kernel-patch']) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the packed tarball', () => {
  let work: string;
  let tarball: string;
  let files: { path: string; size: number }[];
  let size: number;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mount-set-group-pack-'));
    const source = copyOfPackage(join(work, 'source'));
    npm(['run', 'prepack'], source); // prebuildify and compile, as `npm pack` does, with their output kept off the JSON
    npm(['run', 'prepare'], source);
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], source)) as [{ filename: string; files: { path: string; size: number }[]; size: number }];
    tarball = join(work, packed.filename);
    files = packed.files;
    size = packed.size;
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('holds the compiled code, its types, the linux-x64 prebuild, README, LICENSE, docs/ and kernel-patch/', () => {
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(required));
  });

  it('holds nothing else: no sources, tests, kernel trees, build directories or source maps', () => {
    const stray = files.map((file) => file.path).filter((path) => !allowed.some((pattern) => pattern.test(path)));
    expect(stray).toEqual([]);
    expect(size).toBeLessThan(1024 * 1024);
  });

  describe('installed into an empty project with install scripts blocked', () => {
    let project: string;

    beforeAll(() => {
      project = join(work, 'project');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'module' }));
      npm(['install', '--no-audit', '--no-fund', tarball], project);
    }, 300_000);

    it('built nothing at install time: the addon can only be the prebuild', () => {
      const installed = join(project, 'node_modules', 'mount-set-group');
      expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
      expect(existsSync(join(installed, 'build'))).toBe(false);
    });

    it('imports, and the pure parts work without any syscall', () => {
      const check = "import { parse, setGroup } from 'mount-set-group'; console.log(typeof setGroup, parse('1 0 0:1 / / rw - tmpfs t rw\\n').length)";
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', check], { cwd: project, encoding: 'utf8', env: childEnv });
      expect(out.trim()).toBe('function 1');
    });

    it('require()s as well as it imports, the promises entry included', () => {
      const check = "const { parse } = require('mount-set-group'); const promises = require('mount-set-group/promises'); console.log(parse('1 0 0:1 / / rw - tmpfs t rw\\n').length, typeof promises.probe)";
      const out = execFileSync(process.execPath, ['-e', check], { cwd: project, encoding: 'utf8', env: childEnv });
      expect(out.trim()).toBe('1 function');
    });

    it.skipIf(kernelUnavailable)(kernelSuite('probes and joins a group on the kernel, in a private namespace'), () => {
      const script = join(project, 'check.mjs');
      writeFileSync(
        script,
        [
          "import { probe, setGroup, KernelNamespace, runScenario, parse } from 'mount-set-group';",
          "import { mkdtempSync, readFileSync } from 'node:fs';",
          "const dir = mkdtempSync('/tmp/mount-set-group-user-');",
          'const ns = new KernelNamespace();',
          "const run = runScenario(ns, 'mount -t tmpfs t .\\nmkdir a b\\nmount -t tmpfs t a\\nmount --bind a b\\nmount --make-shared a', { cwd: dir });",
          'if (run.failures.length) throw new Error(JSON.stringify(run.failures));',
          'const method = setGroup(`${dir}/a`, `${dir}/b`);',
          "const mounts = parse(readFileSync('/proc/self/mountinfo', 'utf8'));",
          'const at = (p) => mounts.filter((m) => m.mountPoint === p).at(-1);',
          'console.log(JSON.stringify({ probe: probe(), method, a: at(`${dir}/a`), b: at(`${dir}/b`) }));',
        ].join('\n'),
      );
      const child = spawnSync('unshare', ['-m', '--propagation', 'private', process.execPath, script], { cwd: project, encoding: 'utf8', env: childEnv });
      expect(child.stderr).toBe('');
      const result = JSON.parse(child.stdout) as { probe: { moveMount: boolean }; method: string; a: { shared?: number }; b: { shared?: number } };
      expect(result.probe.moveMount).toBe(true);
      expect(result.method).toBe('move_mount');
      expect(result.a.shared).toBeGreaterThan(0);
      expect(result.b.shared).toBe(result.a.shared);
    });

    it.skipIf(kernelUnavailable)(kernelSuite('runs the CLI through npx'), () => {
      const out = execFileSync('npx', ['mount-set-group', 'probe', '--json'], { cwd: project, encoding: 'utf8', env: childEnv });
      expect(JSON.parse(out)).toMatchObject({ probed: true, moveMount: true, preferred: expect.any(String) });
    });

    it("says its own version, not the project's", () => {
      const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
      expect(execFileSync('npx', ['mount-set-group', '--version'], { cwd: project, encoding: 'utf8', env: childEnv }).trim()).toBe(version);
    });
  });
});

describe('installed from the git repository (npm install git+file://...), with install scripts blocked', () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'mount-set-group-git-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'module' }));
    npm(['install', '--no-audit', '--no-fund', `git+file://${root}`], project);
  }, 300_000);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('imports and require()s: npm ran prepare (compile) while packing the clone', () => {
    const imported = execFileSync(process.execPath, ['--input-type=module', '-e', "import { setGroup } from 'mount-set-group'; console.log(typeof setGroup)"], { cwd: project, encoding: 'utf8', env: childEnv });
    const required = execFileSync(process.execPath, ['-e', "console.log(typeof require('mount-set-group').setGroup)"], { cwd: project, encoding: 'utf8', env: childEnv });
    expect([imported.trim(), required.trim()]).toEqual(['function', 'function']);
  });

  it('has its bin, and the CLI runs', () => {
    expect(existsSync(join(project, 'node_modules', '.bin', 'mount-set-group'))).toBe(true);
    const out = execFileSync('npx', ['mount-set-group', 'emulate', '-'], { cwd: project, encoding: 'utf8', env: childEnv, input: 'mkdir a\nmount -t tmpfs t a\n' });
    expect(out).toMatch(/ \/a rw,relatime - tmpfs t rw/);
  });

  it.skipIf(kernelUnavailable)(kernelSuite('loads its addon (built while npm packed the clone) and probes the kernel'), () => {
    const child = spawnSync('unshare', ['-m', '--propagation', 'private', 'npx', 'mount-set-group', 'probe', '--json'], { cwd: project, encoding: 'utf8', env: childEnv });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toMatchObject({ probed: true, moveMount: true });
  });
});
