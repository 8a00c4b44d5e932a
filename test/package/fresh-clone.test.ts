// What a new user does: clone the repository and run the two commands README.md opens with, exactly
// as written, in the clone. The first must set everything up and show set-group at work (demo); the
// second must pass the tests. The clone's own run of this file skips it (MOUNT_SET_GROUP_FRESH_CLONE),
// so it does not recurse. It clones the committed HEAD: what CI runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const INSIDE_VARIABLE = 'MOUNT_SET_GROUP_FRESH_CLONE';
const inside = process.env[INSIDE_VARIABLE] ? `this is the fresh clone's own run (${INSIDE_VARIABLE} is set)` : undefined;

/** The commands of README.md's first sh block, comments stripped: what a new user types. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line !== '');
}

describe.skipIf(inside)(`a fresh clone, README's two commands as written${inside ? ` [skipped: ${inside}]` : ''}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'mount-set-group-clone-'));
  chmodSync(work, 0o755); // as a clone in a home directory is: its suites run a child as nobody, which must read the code
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const { MOUNT_SET_GROUP_NO_SYSCALLS: _banned, ...env } = process.env;
  const commands = readmeCommands();

  it('README opens with two commands: one that runs the demo, one that runs the tests', () => {
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/\bdemo\b/);
    expect(commands[1]).toMatch(/\b(cit|test)\b/);
  });

  it('the first sets up a clone and shows b joining the peer group of a; the second passes the tests', () => {
    const clone = join(work, 'mount-set-group');
    execFileSync('git', ['clone', '--quiet', root, clone]);
    const runs = commands.map((command) =>
      spawnSync('bash', ['-c', command], { cwd: clone, encoding: 'utf8', env: { ...env, [INSIDE_VARIABLE]: '1' }, maxBuffer: 64 * 1024 * 1024, timeout: 1_500_000 }),
    );
    const [setUp, tests] = runs;
    expect(setUp!.status, setUp!.stderr.slice(-2000)).toBe(0);
    expect(setUp!.stdout).toMatch(/\$ mount-set-group set a b\nb has joined the peer group of a/);
    const [a, b] = setUp!.stdout.trim().split('\n').slice(-2).map((line) => /shared:(\d+)/.exec(line)?.[1]);
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(tests!.status, `${tests!.stdout.slice(-3000)}\n${tests!.stderr.slice(-2000)}`).toBe(0);
    expect(tests!.stdout).toMatch(/Test Files\s+.*\d+ passed/);
  }, 1_800_000);
});
