// Makes sure no QEMU outlives the process that started it: every QEMU is registered here and killed
// (and its run directory removed) when this process exits or receives SIGINT, SIGTERM or SIGHUP; and where util-linux `setpriv` is
// available, QEMU is started under `setpriv --pdeathsig KILL`, so that even a SIGKILLed parent
// takes its QEMU along.
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SETPRIV = '/usr/bin/setpriv';

/** Each running QEMU, with what removes its files once it is killed. */
const running = new Map<ChildProcess, () => void>();

/** Kills every registered QEMU at once (SIGKILL: the guest's state is thrown away anyway) and cleans up after it. */
function killAll(): void {
  for (const [child, cleanup] of running) {
    child.kill('SIGKILL');
    cleanup();
  }
}

/** Kills QEMU on a fatal signal; re-raises it when no one else handles it, so the process still ends. */
function onSignal(signal: NodeJS.Signals): void {
  killAll();
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

/** Installs the exit and signal handlers while at least one QEMU runs. */
function install(): void {
  process.on('exit', killAll);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
}

/** Removes the handlers once no QEMU runs, so that this module changes nothing for the rest of the program. */
function uninstall(): void {
  process.off('exit', killAll);
  for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
}

/** Registers a started QEMU until it exits; `cleanup` (synchronous) runs if this process ends first. */
export function track(child: ChildProcess, cleanup: () => void): void {
  if (running.size === 0) install();
  running.set(child, cleanup);
  const forget = (): void => {
    if (running.delete(child) && running.size === 0) uninstall();
  };
  child.once('exit', forget);
  child.once('error', forget);
}

/** The command and arguments that start `command` so that it dies with this process, where that is possible. */
export function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  try {
    accessSync(SETPRIV, constants.X_OK);
    return [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]];
  } catch {
    return [command, args];
  }
}
