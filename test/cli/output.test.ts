// What the commands print, as a findmnt user expects it: a closed pipe ends them quietly; show --json
// is findmnt --json --list's shape; show --graph is DOT that Graphviz draws, with the tree's edges,
// the slave edges and a legend. These run in the test runner's namespace and only read it (show) or
// touch nothing (emulate, on the model).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../hostile/support/cli.js';
import { nodeArguments } from '../../src/process/child.js';

const main = new URL('../../src/cli/main.ts', import.meta.url);

/** A scenario whose mountinfo is larger than a pipe holds (64 KiB), so that a writer meets the closed end. */
const manyMounts = ['mount -t tmpfs t .', ...Array.from({ length: 3000 }, (_, i) => `mkdir d${i}\nmount -t tmpfs t${i} d${i}`)].join('\n');

/** A shared mount a with a peer b, a slave c, and a mount x on a (copied onto b and c). */
const propagation = 'mount -t tmpfs t .\nmkdir a b c\nmount -t tmpfs x a\nmount --make-shared a\nmount --bind a b\nmount --bind a c\nmount --make-slave c\nmkdir a/x\nmount -t tmpfs y a/x\n';

const dot = spawnSync('dot', ['-V'], { encoding: 'utf8' });
const noGraphviz = dot.error ? 'Graphviz (dot) is not installed: apt-get install graphviz' : undefined;

describe('a reader that stops reading', () => {
  it.each([
    ['emulate', ['emulate', '--cwd', '/srv', '-']],
    ['emulate --show', ['emulate', '--cwd', '/srv', '--show', '-']],
    ['emulate --graph', ['emulate', '--cwd', '/srv', '--graph', '-']],
  ])('%s | head -1: one line, then a quiet end (exit 0, nothing on stderr)', (_what, args) => {
    const command = [process.execPath, ...nodeArguments(main, args)].map((word) => `'${word}'`).join(' ');
    const run = spawnSync('bash', ['-c', `set -o pipefail; ${command} | head -1`], { input: manyMounts, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(run.status).toBe(0);
  });
});

describe('show --json', () => {
  it("is findmnt --json --list's shape: one object a mount, in tree order, with ids, parents and propagation", async () => {
    const run = await runCli(['show', '--json']);
    expect(run.status).toBe(0);
    const { filesystems } = JSON.parse(run.stdout) as { filesystems: { id: number; parent: number; target: string; propagation: string }[] };
    expect(filesystems.length).toBeGreaterThan(1);
    expect(filesystems[0]).toMatchObject({ target: '/', fstype: expect.any(String), propagation: expect.any(String) });
    const seen = new Set<number>();
    for (const mount of filesystems.slice(1)) {
      expect(seen.has(mount.parent) || mount.parent === filesystems[0]!.id, `${mount.target}'s parent comes first`).toBe(true);
      seen.add(mount.id);
    }
  });
});

describe.skipIf(noGraphviz)(`show --graph, drawn by Graphviz${noGraphviz ? ` [skipped: ${noGraphviz}]` : ''}`, () => {
  it('renders to PNG, and draws the tree edges, the slave edges and the legend', async () => {
    const run = await runCli(['emulate', '--cwd', '/srv', '--graph', '-'], { input: propagation });
    expect(run.status).toBe(0);
    const png = spawnSync('dot', ['-Tpng'], { input: run.stdout });
    expect(png.status).toBe(0);
    expect(png.stdout.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const plain = spawnSync('dot', ['-Tplain'], { input: run.stdout, encoding: 'utf8' }).stdout;
    const edges = plain.split('\n').filter((line) => line.startsWith('edge '));
    const slaveEdges = edges.filter((line) => / slave /.test(line) && !line.includes('legend'));
    const treeEdges = edges.filter((line) => / gray$/.test(line) && !line.includes('legend'));
    expect(slaveEdges).toHaveLength(2); // c from a's group, and c/x from a/x's group
    expect(treeEdges.length).toBeGreaterThanOrEqual(6); // / holds /srv, /srv holds a b c, and each holds its x
    expect(plain).toMatch(/node legend_group /);
  });
});
