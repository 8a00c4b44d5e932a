// Errors of the kernel build and the VM runner. Each message says what failed and what to do next.

/** The patched kernel could not be built: a missing tool, a patch that does not apply, a config or make failure. */
export class KernelBuildError extends Error {
  override name = 'KernelBuildError';
  /** The build log, when the failure happened in a logged step. */
  readonly log?: string;

  constructor(message: string, log?: string) {
    super(log ? `${message} (full log: ${log})` : message);
    if (log !== undefined) this.log = log;
  }
}

/** The VM could not run the command: QEMU missing or failing, or the guest ending without a status. */
export class VmError extends Error {
  override name = 'VmError';
  /** The tail of the guest's serial console, when there is one. */
  readonly console?: string;

  constructor(message: string, console?: string) {
    super(console ? `${message}\n--- guest console (last lines) ---\n${console}` : message);
    if (console !== undefined) this.console = console;
  }
}

/** The command did not finish within the timeout; QEMU has been killed. */
export class VmTimeoutError extends VmError {
  override name = 'VmTimeoutError';
  readonly timeoutMs: number;

  constructor(timeoutMs: number, console?: string) {
    super(`the VM did not finish within ${timeoutMs / 1000} s; QEMU was killed`, console);
    this.timeoutMs = timeoutMs;
  }
}
