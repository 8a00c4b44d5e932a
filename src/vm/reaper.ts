// Makes sure no QEMU outlives the process that started it: every QEMU is registered here and killed
// when this process exits or receives SIGINT, SIGTERM or SIGHUP; and where util-linux `setpriv` is
// available, QEMU is started under `setpriv --pdeathsig KILL`, so that even a SIGKILLed parent
// takes its QEMU along.
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SETPRIV = '/usr/bin/setpriv';

const running = new Set<ChildProcess>();

/** Kills every registered QEMU at once (SIGKILL: the guest's state is thrown away anyway). */
function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
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

/** Registers a started QEMU until it exits. */
export function track(child: ChildProcess): void {
  if (running.size === 0) install();
  running.add(child);
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
