// attach and detach on a MountSystem, as the same steps on any backend (test/model/children/attach-system.ts
// runs them on the kernel): a host directory shared, a container (unshare -m) whose copies of two
// binds of it are private, one attached as a slave and one as a peer, propagation checked both
// ways, a refusal, and a detach.
import { MountError } from '../../../src/core/errors.js';
import type { MountShell, MountSystem } from '../../../src/core/system.js';
import { attachOn, detachOn } from '../../../src/attach/system.js';
import { parse } from '../../../src/mountinfo/parse.js';
import { parseScenario } from '../../../src/scenario/parse.js';
import { ScenarioRun } from '../../../src/scenario/run.js';
import { normalizedUnder } from '../../differential/sides.js';

export interface RehearsalStep {
  label: string;
  /** 'ok', or the errno of a refusal. */
  result: string;
  /** Both namespaces under the directory, normalized together, after the step. */
  mountinfo: string;
}

const setup = `
  mkdir src vol shared
  mount -t tmpfs volume src
  mkdir src/x
  mount --bind src vol
  mount --bind src shared
  mount --make-shared src
  unshare -m c
`;

/** The steps, run under `dir` on `system`. */
export function rehearseAttach(system: MountSystem, dir: string): RehearsalStep[] {
  const run = new ScenarioRun(system, { cwd: dir, confineTo: dir });
  for (const line of parseScenario(setup)) {
    const failure = run.run(line);
    if (failure) throw new Error(`set-up failed: ${failure.text}: ${failure.message}`);
  }
  const container = run.holders().find(({ name }) => name === 'c')!.process;
  const at = (path: string) => `${dir}/${path}`;
  const host = system.init;
  const inContainer = (body: (shell: MountShell) => void) => {
    const shell = system.nsenter(host, container, { mount: true, user: false });
    try {
      body(shell);
    } finally {
      system.kill(shell);
    }
  };
  const steps: [string, () => void][] = [
    ['attach a directory that is not a mount root', () => void attachOn(system, container, { source: at('src'), target: at('vol/x') })],
    ['attach vol as a slave of src', () => void attachOn(system, container, { source: at('src'), target: at('vol') })],
    ['host: mount under src (reaches the container)', () => {
      host.mkdir(at('src/a'));
      host.mount('tmpfs', 'a', at('src/a'));
    }],
    ['container: mount under vol (stays there)', () => inContainer((shell) => {
      shell.mkdir(at('vol/b'));
      shell.mount('tmpfs', 'b', at('vol/b'));
    })],
    ['detach vol', () => void detachOn(system, container, { target: at('vol') })],
    ['host: mount under src after detach (does not reach vol)', () => {
      host.mkdir(at('src/c'));
      host.mount('tmpfs', 'c', at('src/c'));
    }],
    ['attach shared as a peer of src', () => void attachOn(system, container, { source: at('src'), target: at('shared'), mode: 'shared' })],
    ['container: mount under shared (reaches the host)', () => inContainer((shell) => {
      shell.mkdir(at('shared/d'));
      shell.mount('tmpfs', 'd', at('shared/d'));
    })],
  ];
  return steps.map(([label, step]) => {
    let result = 'ok';
    try {
      step();
    } catch (error) {
      if (!(error instanceof MountError)) throw error;
      result = error.code;
    }
    const mountinfo = normalizedUnder([{ name: 'host', entries: parse(host.mountinfo()) }, { name: 'c', entries: parse(container.mountinfo()) }], dir);
    return { label, result, mountinfo };
  });
}
