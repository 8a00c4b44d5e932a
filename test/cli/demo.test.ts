// demo on the kernel when it can, on the model (saying so) when it cannot: both show b joining a's group.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeArguments } from '../../src/process/child.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';

const main = new URL('../../src/cli/main.ts', import.meta.url);

function demo(asNobody: boolean) {
  const args = [...nodeArguments(main, ['demo'])];
  const command = asNobody ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args]] : [process.execPath, args];
  return spawnSync(command[0] as string, command[1] as string[], { encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/** The peer groups of a and b in the demo's last two lines. */
function groupsAfter(stdout: string): (string | undefined)[] {
  return stdout.trim().split('\n').slice(-2).map((line) => /shared:(\d+)/.exec(line)?.[1]);
}

/** The commands the demo shows a person typing. */
function shownCommands(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('  $ ')).map((line) => line.slice(4));
}

/** Whether `name` is a command on this machine's PATH. */
function onPath(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

describe('mount-set-group demo', () => {
  it("shows only commands that exist: mount(8)'s own options, and set-group as this package's command", () => {
    const run = demo(false);
    const commands = shownCommands(run.stdout);
    expect(commands.length).toBeGreaterThan(4);
    for (const command of commands) {
      const [name, ...words] = command.split(' ');
      if (name === 'mount-set-group') {
        expect(spawnSync(process.execPath, nodeArguments(main, [words[0]!, '--help']), { encoding: 'utf8' }).status, command).toBe(0);
      } else {
        expect(onPath(name!), command).toBe(true);
        expect(words.filter((word) => word.startsWith('--')).every((option) => ['--bind', '--make-shared'].includes(option)), command).toBe(true);
      }
    }
    expect(commands).toContain('mount-set-group set a b');
  });

  it.skipIf(kernelUnavailable)(kernelSuite('runs on the kernel in a private namespace'), () => {
    const run = demo(false);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^In a private mount namespace/);
    const [a, b] = groupsAfter(run.stdout);
    expect(a).toBeDefined();
    expect(b).toBe(a);
  });

  it.skipIf(kernelUnavailable)(kernelSuite('falls back to the model for a user who cannot make namespaces, and says so'), () => {
    const run = demo(true);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^The kernel cannot be used here \(needs root.*\); this runs on the model/);
    const [a, b] = groupsAfter(run.stdout);
    expect(a).toBeDefined();
    expect(b).toBe(a);
  });
});
