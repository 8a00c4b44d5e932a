// The command line's own errors: a wrong command line (exit 2), and a command that ran but failed (its
// output said why). Only src/cli/main.ts turns them into an exit status.

/** A wrong command line: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command that ran but whose outcome is failure: the CLI exits with `status` (its output said why). */
export class CliExit extends Error {
  override name = 'CliExit';
  readonly status: number;

  constructor(status: number, message = '') {
    super(message);
    this.status = status;
  }
}
