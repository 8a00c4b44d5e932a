// Hostile scenario scripts: every line the language does not define is an ERR_SCENARIO_SYNTAX
// failure of that line (the run goes on, nothing is done for it); paths that climb out of the
// scenario's directory are allowed on a model (emulate runs on a whole root of its own) and refused
// with ERR_SCENARIO_PATH by the kernel worker, which confines each scenario to its tmpfs.
import { describe, expect, it } from 'vitest';
import { runOnKernel } from '../../src/scenario/worker-client.js';
import { ModelNamespace } from '../../src/model/index.js';
import { parse } from '../../src/mountinfo/parse.js';
import { MAX_LINE_LENGTH, parseScenario } from '../../src/scenario/parse.js';
import { runScenario } from '../../src/scenario/run.js';
import { kernelSuite, kernelUnavailable } from '../support/kernel.js';

/** The one failure of a one-line script run on a fresh model, and whether the model changed. */
function runLine(line: string): { code?: string; message?: string; changed: boolean } {
  const ns = new ModelNamespace();
  ns.mkdir('/srv/a', { recursive: true });
  const before = ns.mountinfo();
  const { failures } = runScenario(ns, line, { cwd: '/srv' });
  expect(failures.length).toBeLessThanOrEqual(1);
  return { code: failures[0]?.code, message: failures[0]?.message, changed: ns.mountinfo() !== before };
}

describe('lines the scenario language does not define: ERR_SCENARIO_SYNTAX, nothing done', () => {
  it.each([
    ['an unknown command', 'mountt -t tmpfs t a', /unknown command 'mountt'/],
    ['a shell builtin', 'export A=1', /unknown command 'export'/],
    ['an unknown mount flag', 'mount --bogus a', /mount: expected -t TYPE/],
    ['an unknown mkdir flag', 'mkdir -m 700 a', /mkdir: unknown option -m/],
    ['an unknown umount flag', 'umount -f', /umount: unknown option -f/],
    ['an unknown umount flag before a directory', 'umount -f a', /expected umount \[-l\] DIR/],
    ['a mount option mount(8) has but the language does not', 'mount -t tmpfs -n t a', /mount: unknown option -n/],
    ['-t without its value', 'mount -t', /mount: -t needs a value/],
    ['-o without its value', 'mount -t tmpfs t a -o', /mount: -o needs a value/],
    ['a new mount without -t', 'mount t a', /expected -t TYPE/],
    ['-o without -t that is not a bind remount', 'mount -o ro t a', /must be remount,bind/],
    ['a remount of the superblock (no bind)', 'mount -o remount,ro a', /a remount of the superblock is not part of the language/],
    ['filesystem data in a bind remount', 'mount -o remount,bind,size=1m a', /'size=1m' is not a per-mount flag/],
    ['a bind remount with three operands', 'mount -o remount,bind,ro x a a', /expected mount -o remount,bind\[,FLAGS\] \[SOURCE\] DIR/],
    ['a bind remount without its directory', 'mount -o remount,bind', /expected mount -o remount,bind/],
    ['-o bind with -t (mount(8) would bind)', 'mount -t tmpfs -o bind t a', /-o bind with -t/],
    ['mount with nothing', 'mount', /mount: expected/],
    ['a bind with one operand', 'mount --bind a', /expected mount --bind SRC DST/],
    ['a bind with three operands', 'mount --bind a a a', /expected mount --bind SRC DST/],
    ['set-group with one operand', 'mount --set-group a', /expected mount --set-group SRC DST/],
    ['make-shared with two operands', 'mount --make-shared a a', /expected mount --make-shared DIR/],
    ['cd with two operands', 'cd a a', /expected cd DIR/],
    ['umount with no operand', 'umount -l', /expected umount \[-l\] DIR/],
    ['mkdir with no operand', 'mkdir -p', /expected mkdir \[-p\] DIR/],
    ['an empty quoted path', "mount --bind '' a", /empty path/],
    ['an unterminated quote', "mkdir 'a", /unterminated ' quote/],
    ['a variable', 'mkdir $HOME', /'\$' is shell syntax/],
    ['a command substitution', 'mkdir `id`', /'`' is shell syntax/],
    ['a backslash escape', 'mkdir a\\ b', /'\\' is shell syntax/],
    ['a glob', 'umount *', /'\*' is shell syntax/],
    ['a question mark glob', 'umount a?', /'\?' is shell syntax/],
    ['a bracket glob', 'umount [ab]', /'\[' is shell syntax/],
    ['a brace expansion', 'mkdir {a,b}', /'\{' is shell syntax/],
    ['a redirection', 'mount -t tmpfs t a > log', /'>' is shell syntax/],
    ['an input redirection', 'mkdir a < x', /'<' is shell syntax/],
    ['a pipe', 'mkdir a | cat', /'\|' is shell syntax/],
    ['a command list', 'mkdir b; umount -l /', /';' is shell syntax/],
    ['a background job', 'mkdir b &', /'&' is shell syntax/],
    ['a tilde', 'mkdir ~', /'~' is shell syntax/],
    ['a NUL byte (binary data)', 'mkdir a\0b', /NUL byte/],
    ['a line one character too long', `mkdir ${'x'.repeat(MAX_LINE_LENGTH - 5)}`, new RegExp(`longer than ${MAX_LINE_LENGTH}`)],
  ])('%s', (_what, line, message) => {
    const outcome = runLine(line);
    expect(outcome).toMatchObject({ code: 'ERR_SCENARIO_SYNTAX', changed: false });
    expect(outcome.message).toMatch(message);
  });

  it("quotes make shell characters literal: 'a b', \"x;y\" and '$HOME' are directory names", () => {
    const ns = new ModelNamespace();
    const { failures } = runScenario(ns, "mkdir 'a b' \"x;y\" '$HOME'\nmount -t tmpfs 'my src' 'a b'", { cwd: '/' });
    expect(failures).toEqual([]);
    expect(parse(ns.mountinfo()).at(-1)).toMatchObject({ mountPoint: '/a b', source: 'my src' });
  });

  it('CRLF line ends, comments and blank lines are not operations', () => {
    const lines = parseScenario('# setup\r\nmkdir a\r\n\r\n   # indented comment\r\nmount -t tmpfs t a\r\n');
    expect(lines.map((line) => ('step' in line ? line.step.op : line.syntaxError))).toEqual(['mkdir', 'mount']);
  });

  it('a line of a megabyte is reported shortened, not echoed whole', () => {
    const [line] = parseScenario(`mkdir ${'x'.repeat(1 << 20)}`);
    expect(line).toMatchObject({ line: 1, syntaxError: expect.stringMatching(/longer than/) });
    expect(line!.text.length).toBeLessThan(100);
  });

  it('16 MiB of script (emulate\'s limit) parses in bounded time, one entry per line', () => {
    const script = 'mkdir -p a/b/c\n'.repeat((16 * 1024 * 1024) / 15);
    const started = performance.now();
    const lines = parseScenario(script);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(lines).toHaveLength(script.length / 15);
  });

  it('random bytes decoded as UTF-8 become failed lines or harmless names, never an exception', () => {
    const bytes = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + (i >> 3)) % 256));
    const ns = new ModelNamespace();
    const result = runScenario(ns, bytes.toString('utf8'), { cwd: '/' });
    for (const failure of result.failures) expect(failure.code).toMatch(/^(ERR_SCENARIO_SYNTAX|ERR_SCENARIO_PATH|E[A-Z]+)$/);
    expect(result.failures.length).toBeGreaterThan(0);
  });
});

describe('paths that climb out of the working directory', () => {
  it("on a model (emulate): '..' is allowed, the model being a whole root of its own", () => {
    const ns = new ModelNamespace();
    ns.mkdir('/srv/work', { recursive: true });
    const { failures, cwd } = runScenario(ns, 'mkdir ../../x\nmount -t tmpfs t ../../x\ncd ../../../..\nmount --bind x srv', { cwd: '/srv/work' });
    expect(failures).toEqual([]);
    expect(cwd).toBe('/');
    expect(parse(ns.mountinfo()).map((entry) => entry.mountPoint)).toEqual(['/', '/x', '/srv']);
  });

  it('confined (the kernel worker\'s confineTo): each escaping line fails ERR_SCENARIO_PATH and does nothing', () => {
    const ns = new ModelNamespace();
    ns.mkdir('/srv/work/a', { recursive: true });
    const before = ns.mountinfo();
    const escapes = ['mkdir ../x', 'mount -t tmpfs t ..', 'mount --bind / a', 'mount --bind a /srv', 'cd ..', 'cd /', 'umount -l ../..', 'mount --make-rshared /', 'mount --set-group a ../../work2', 'mount --move a/../../x a'];
    const { failures, cwd } = runScenario(ns, escapes.join('\n'), { cwd: '/srv/work', confineTo: '/srv/work' });
    expect(failures.map((f) => f.code)).toEqual(escapes.map(() => 'ERR_SCENARIO_PATH'));
    expect(failures[0]!.message).toMatch(/'\.\.\/x' resolves to '\/srv\/x', outside the scenario's directory '\/srv\/work'/);
    expect(cwd).toBe('/srv/work');
    expect(ns.mountinfo()).toBe(before);
  });

  it("confined: '..' that stays inside, and a name that only starts like the directory, are judged by the resolved path", () => {
    const ns = new ModelNamespace();
    ns.mkdir('/srv/work/a', { recursive: true });
    ns.mkdir('/srv/work2', { recursive: true });
    const { failures } = runScenario(ns, 'mkdir a/../b\nmkdir ../work2/x', { cwd: '/srv/work', confineTo: '/srv/work' });
    expect(failures.map((f) => [f.line, f.code])).toEqual([[2, 'ERR_SCENARIO_PATH']]);
  });
});

describe.skipIf(kernelUnavailable)(kernelSuite('the kernel worker confines a scenario to its directory'), () => {
  it('escaping lines fail with ERR_SCENARIO_PATH and no mount appears outside the scenario\'s tmpfs', () => {
    const escapes = ['mkdir ../escape', 'mount -t tmpfs t ../escape', 'mount --bind / inside', 'cd ..', 'cd /', 'mount --make-rshared /', 'umount -l ..', 'mount -t tmpfs t /tmp'];
    const [empty, hostile] = runOnKernel([{ script: '' }, { script: ['mkdir inside', ...escapes].join('\n') }]);
    expect(hostile!.failures.map((f) => f.code)).toEqual(escapes.map(() => 'ERR_SCENARIO_PATH'));
    const outside = (mountinfo: string, dir: string) =>
      parse(mountinfo).filter((entry) => !`${entry.mountPoint}/`.startsWith(`${dir}/`)).map((entry) => `${entry.mountPoint} ${entry.fsType} ${entry.shared ?? '-'}`);
    expect(outside(hostile!.mountinfo, hostile!.dir)).toEqual(outside(empty!.mountinfo, empty!.dir));
  });

  it('syntax errors and binary lines fail alone on the kernel as on the model', () => {
    const script = 'mkdir a\nmount -t tmpfs t a; umount /\nmkdir b\0\nmount --bind a a a\nmkdir c';
    const [response] = runOnKernel([{ script }]);
    expect(response!.failures.map((f) => [f.line, f.code])).toEqual([[2, 'ERR_SCENARIO_SYNTAX'], [3, 'ERR_SCENARIO_SYNTAX'], [4, 'ERR_SCENARIO_SYNTAX']]);
  });
});
