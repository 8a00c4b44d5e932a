// Every user error of the command line: exit status 2 (a wrong command line) or 1 (the operation
// failed), exactly one line on stderr naming the problem, no stack trace unless --debug, and JSON
// with --json. The command runs as a user runs it, in the test runner's namespace, which is safe
// only because each case here fails before any syscall: the command's environment bans the addon
// (support/cli.ts), so a case that reached one would fail with AddonUnavailableError instead.
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'hostile-cli-'));
afterAll(() => rmSync(scratch, { recursive: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

function sparse(name: string, bytes: number): string {
  const path = join(scratch, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

const mount = { id: 1, parent: null, mountPoint: '/', root: '/', fsType: 'tmpfs', source: 't', superblock: '0:1', mountOptions: 'rw', superOptions: 'rw', group: null, master: null, propagateFrom: null, unbindable: false };
const topology = (mounts: unknown[], top: object = {}) => JSON.stringify({ schema: 'mount-set-group/topology', version: 1, under: '/', mounts, ...top });

const files = {
  badMountinfo: file('bad.mountinfo', '1 1 0:1 / / rw - t s rw\n2 1 0:2 /\\9 /x rw - t s rw\n'),
  hugeMountinfo: sparse('huge.mountinfo', 100 * 1000 * 1000),
  hugeScript: sparse('huge.scenario', 17 * 1024 * 1024),
  version4: file('v4.json', topology([], { version: 4 })),
  notJson: file('not.json', 'mounts: []\n'),
  cycle: file('cycle.json', topology([{ ...mount, parent: 2 }, { ...mount, id: 2, parent: 1 }])),
  newlineInPath: file('newline.json', topology([{ ...mount, mountPoint: '/a\n/../../etc' }])),
  escaping: file('escaping.json', topology([{ ...mount, mountPoint: '../../etc' }])),
  orphanSlave: file('orphan-slave.json', topology([{ ...mount, master: 9 }])),
  good: file('good.json', topology([mount])),
  directory: (() => {
    const path = join(scratch, 'a-directory');
    mkdirSync(path);
    return path;
  })(),
};

type Case = [what: string, args: string[], status: 1 | 2, stderr: RegExp];

const cases: Case[] = [
  ['an unknown command', ['mount'], 2, /unknown command 'mount'/],
  ['an unknown global option', ['--verbose', 'probe'], 2, /unknown option '--verbose'/],
  ['set without operands', ['set'], 2, /missing required argument 'source'/],
  ['set with three operands', ['set', 'a', 'b', 'c'], 2, /too many arguments/],
  ['set with an empty source', ['set', '', '/b'], 2, /SOURCE must be a non-empty path/],
  ['set with an unknown method', ['set', '/a', '/b', '--method', 'ioctl'], 2, /argument 'ioctl' is invalid. Allowed choices are auto, move_mount, mount/],
  ['set with an unknown option', ['set', '/a', '/b', '--force'], 2, /unknown option '--force'/],
  ['probe with an operand', ['probe', 'now'], 2, /too many arguments for 'probe'/],
  ['demo with an operand', ['demo', 'twice'], 2, /too many arguments for 'demo'/],
  ['show with a pid that is not a number', ['show', '--pid', 'self'], 2, /expected a positive integer, not 'self'/],
  ['show with pid 0', ['show', '--pid', '0'], 2, /expected a positive integer, not '0'/],
  ['show with a pid no process has', ['show', '--pid', '2147483647'], 1, /ESRCH: no such process, open '\/proc\/2147483647\/mountinfo': process 2147483647 does not exist/],
  ['show under a relative directory', ['show', '--under', 'srv'], 2, /--under must be an absolute path, not 'srv'/],
  ['show under a directory no mount is at or under (findmnt exits 1)', ['show', '--under', '/nonexistent'], 1, /no mounts at or under '\/nonexistent'/],
  ['a misspelt command: the hint on the same line', ['sett'], 2, /unknown command 'sett' \(did you mean set\?\)/],
  ['dump with --pid and --mountinfo', ['dump', '--pid', '1', '--mountinfo', files.badMountinfo], 2, /choose one of --pid and --mountinfo/],
  ['dump of a malformed mountinfo', ['dump', '--mountinfo', files.badMountinfo], 1, /mountinfo line 2: incomplete octal escape "\\9" in root/],
  ['dump of a 100 MB file', ['dump', '--mountinfo', files.hugeMountinfo], 1, /is larger than 67108864 bytes \(raise maxBytes to read it\)/],
  ['dump of a missing file', ['dump', '--mountinfo', join(scratch, 'nowhere')], 1, /ENOENT: no such file or directory/],
  ['dump of a directory', ['dump', '--mountinfo', files.directory], 1, /EISDIR/],
  ['dump under a relative directory', ['dump', '--under', 'srv'], 2, /--under must be an absolute path, not 'srv'/],
  ['dump into a missing directory', ['dump', '--under', '/proc', '-o', join(scratch, 'no', 'such', 'dir', 'x.json')], 1, /ENOENT/],
  ['emulate a missing script', ['emulate', join(scratch, 'nowhere')], 1, /ENOENT: no such file or directory/],
  ['emulate a script over 16 MiB', ['emulate', files.hugeScript], 2, /is larger than 16777216 bytes: not a scenario/],
  ['emulate from a relative --cwd', ['emulate', '-', '--cwd', 'srv'], 2, /--cwd must be an absolute path, not 'srv'/],
  ['emulate with --show and --graph', ['emulate', '-', '--show', '--graph'], 2, /choose one of --show and --graph/],
  ['emulate without a script', ['emulate'], 2, /missing required argument 'script'/],
  ['restore of a missing document', ['restore', join(scratch, 'nowhere.json'), '--into', '/r'], 2, /cannot read .*nowhere\.json: ENOENT/],
  ['restore of a document that is not JSON (its excerpt has a line break)', ['restore', files.notJson, '--into', '/r'], 2, /not\.json is not JSON: .*"mounts: \[\]\\n" is not valid JSON/],
  ['restore of a mount point with a line break', ['restore', files.newlineInPath, '--into', '/r', '--backend', 'model'], 1, /not '\/a\\n\/\.\.\/\.\.\/etc'/],
  ['a command name with a line break', ['re\nstore'], 2, /unknown command 're\\nstore'/],
  ['restore of an unknown version', ['restore', files.version4, '--into', '/r', '--backend', 'model'], 1, /topology version: 4 is not a version this package reads \(it reads 1, 2 and 3\)/],
  ['restore of a parent cycle', ['restore', files.cycle, '--into', '/r', '--dry-run'], 1, /topology mounts\[0\]\.parent: the parents of this mount form a cycle/],
  ['restore of a mount point that climbs out', ['restore', files.escaping, '--into', '/r', '--backend', 'model'], 1, /topology mounts\[0\]\.mountPoint: must be an absolute path without '\.', '\.\.' or empty components, not '\.\.\/\.\.\/etc'/],
  ['restore without --into', ['restore', files.good], 2, /required option '--into <dir>' not specified/],
  ['restore into a relative directory', ['restore', files.good, '--into', 'r'], 2, /--into must be an absolute path, not 'r'/],
  ['restore with a malformed --external', ['restore', files.good, '--into', '/r', '--external', 'sda1=/mnt'], 2, /--external takes MAJOR:MINOR\[:ROOT\]=PATH/],
  ['restore with an unknown backend', ['restore', files.good, '--into', '/r', '--backend', 'criu'], 2, /argument 'criu' is invalid. Allowed choices are kernel, model/],
  ['restore with staging inside --into', ['restore', files.good, '--into', '/r', '--staging', '/r/s', '--backend', 'model'], 1, /must not contain one another/],
  ['restore of a slave of a group not in the dump', ['restore', files.orphanSlave, '--into', '/r', '--backend', 'model'], 1, /slave of peer group 9, which has no member in the dump/],
  ['attach with a pid that is not a number', ['attach', 'init', '/srv', '/data'], 2, /PID must be a process id/],
  ['attach with pid 0', ['attach', '0', '/srv', '/data'], 2, /PID must be a process id/],
  ['attach with a pid above PID_MAX_LIMIT', ['attach', '99999999', '/srv', '/data'], 2, /PID must be a process id \(an integer from 1 to 4194304\)/],
  ['attach to a relative volume', ['attach', '1', '/srv', 'data'], 2, /TARGET must be an absolute path/],
  ['attach with an unknown mode', ['attach', '1', '/srv', '/data', '--mode', 'both'], 2, /argument 'both' is invalid/],
  ['attach with an unknown route', ['attach', '1', '/srv', '/data', '--via', 'ssh'], 2, /argument 'ssh' is invalid/],
  ['detach with a missing volume', ['detach', '1'], 2, /missing required argument 'target'/],
  ['detach with an empty volume', ['detach', '1', ''], 2, /TARGET must be a non-empty path/],
  ['vm without a command', ['vm'], 2, /missing required argument 'CMD'/],
  ['vm with no memory', ['vm', '--mem', '0', '--', 'true'], 2, /--mem must be a positive integer/],
  ['vm with a negative timeout', ['vm', '--timeout', '-5', '--', 'true'], 2, /--timeout must be a positive number|unknown option '-5'|argument missing/],
  ['vm with an unknown accelerator', ['vm', '--accel', 'hvf', '--', 'true'], 2, /argument 'hvf' is invalid/],
];

/** What every error must look like on stderr: one line, no stack, not an internal error. */
function expectOneLine(stderr: string): void {
  expect(stderr).toMatch(/^[^\n]+\n$/);
  expect(stderr).not.toMatch(/internal error|AddonUnavailable|\bat .*\(.*:\d+:\d+\)/);
}

describe.concurrent('each user error: exit 1 or 2, one line on stderr naming the problem', () => {
  it.each(cases)('%s: exit %i', async (_what, args, status, stderr) => {
    const run = await runCli(args);
    expect(run.status).toBe(status);
    expectOneLine(run.stderr);
    expect(run.stderr).toMatch(stderr);
    expect(run.stderr).toMatch(/^mount-set-group/);
  });
});

describe.concurrent('with --json, the same errors as one JSON object on stderr', () => {
  it.each(cases.filter(([, args]) => ['set', 'restore', 'attach', 'detach'].includes(args[0]!)))('%s', async (_what, args, status, stderr) => {
    const run = await runCli([...args, '--json']);
    expect(run.status).toBe(status);
    expectOneLine(run.stderr);
    const { error } = JSON.parse(run.stderr) as { error: { name: string; message: string; code?: string } };
    expect(error.message.replace(/\n/g, '\\n')).toMatch(stderr);
    expect(error.name).toMatch(/Error$/);
  });
});

describe.concurrent('the exceptions, and --debug', () => {
  it('no command at all: usage on stderr, exit 2', async () => {
    const run = await runCli([]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^Usage: mount-set-group/);
  });

  it('help asked for: exit 0', async () => {
    expect((await runCli(['help'])).status).toBe(0);
    expect((await runCli(['restore', '--help'])).status).toBe(0);
  });

  it('--debug adds the stack trace after the line', async () => {
    const run = await runCli(['dump', '--mountinfo', files.badMountinfo, '--debug']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^mount-set-group: mountinfo line 2: [^\n]*\nMountinfoParseError: [^\n]*\n\s+at /);
  });

  it('emulate reports each failed line of a binary script on its own line, and exits 1', async () => {
    const run = await runCli(['emulate', '-'], { input: 'mkdir a\nmount -t tmpfs t a\n\0\u0001\u0002\nmount -t tmpfs t a; id\n\u00ff\u00fe`\n' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^line 3: ERR_SCENARIO_SYNTAX: NUL byte in line/),
      expect.stringMatching(/^line 4: ERR_SCENARIO_SYNTAX: ';' is shell syntax/),
      expect.stringMatching(/^line 5: ERR_SCENARIO_SYNTAX: '`' is shell syntax/),
    ]);
    expect(run.stdout).toMatch(/ \/a /);
  });

  it("emulate lets '..' climb to the model's root (its whole namespace is its own)", async () => {
    const run = await runCli(['emulate', '--cwd', '/srv/work', '-'], { input: 'mkdir ../../../../x\nmount -t tmpfs t ../../x\n' });
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/ \/x rw,relatime - tmpfs t /);
  });

  it('restore --dry-run lists every problem of a document that cannot be restored, one per line, and exits 1', async () => {
    const two = file('two-problems.json', topology([{ ...mount, group: 3, master: 9, unbindable: true }]));
    const run = await runCli(['restore', two, '--into', '/r', '--dry-run']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^cannot restore: .*slave of peer group 9/),
      expect.stringMatching(/^cannot restore: .*both unbindable and shared/),
    ]);
  });
});
