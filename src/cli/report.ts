// How the CLI reports a failure: one line on stderr that names the problem (and, for a refused
// operation, the rule behind it), JSON with --json, the stack only with --debug; and which exit
// status it gets: 2 for a wrong command line, 1 for an operation that failed.
import { CommanderError } from 'commander';
import { InvalidArgumentError, MountError } from '../core/errors.js';
import { CliExit, UsageError } from './errors.js';
import { MountinfoParseError, MountinfoTooLargeError } from '../mountinfo/errors.js';
import { AddonUnavailableError } from '../native/addon.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface ReportOptions {
  debug: boolean;
  json: boolean;
}

const commanderQuietExits = new Set(['commander.helpDisplayed', 'commander.version']);

/** The fields of an error worth showing a program: Node's system-error fields and our reason. */
function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const key of ['code', 'errno', 'syscall', 'path', 'dest', 'reason', 'line', 'problem', 'at', 'problems', 'status'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

/** A wrong command line as JSON: commander's code and its message without the "error: " it starts with. */
function commanderFields(error: CommanderError): Record<string, unknown> {
  return { name: 'UsageError', code: error.code, message: error.message.replace(/^error: /, '') };
}

/** `text` on one line: line breaks in it (a path, a JSON parser's excerpt of the input) written as \\n and \\r. */
export function singleLine(text: string): string {
  return text.replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function oneLine(error: Error): string {
  const reason = error instanceof MountError && error.reason ? `: ${error.reason}` : '';
  return singleLine(`mount-set-group: ${error.message}${reason}`);
}

/** Help asked for is a success; help shown because no command was given is a wrong command line. */
function commanderStatus(error: CommanderError): number {
  if (commanderQuietExits.has(error.code)) return EXIT_OK;
  return error.code === 'commander.help' && error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
}

function exitStatusOf(error: unknown): number {
  if (error instanceof CommanderError) return commanderStatus(error);
  if (error instanceof CliExit) return error.status;
  if (error instanceof UsageError || error instanceof InvalidArgumentError) return EXIT_USAGE;
  return EXIT_FAILED;
}

/** Writes what went wrong to stderr and returns the exit status. */
export function report(error: unknown, options: ReportOptions): number {
  const status = exitStatusOf(error);
  if (error instanceof CommanderError) {
    // Commander has printed its own line, except with --json (program.ts), where it is ours to write.
    if (options.json && status !== EXIT_OK) process.stderr.write(`${JSON.stringify({ error: commanderFields(error) })}\n`);
    return status;
  }
  if (error instanceof CliExit && error.message === '') return status; // The command has said why.
  const err = error instanceof Error ? error : new Error(String(error));
  const known = err instanceof MountError || err instanceof UsageError || err instanceof CliExit ||
    err instanceof InvalidArgumentError || err instanceof AddonUnavailableError ||
    err instanceof MountinfoParseError || err instanceof MountinfoTooLargeError || 'code' in err;
  if (options.json) {
    process.stderr.write(`${JSON.stringify({ error: errorFields(err) })}\n`);
  } else {
    process.stderr.write(`${known ? oneLine(err) : singleLine(`mount-set-group: internal error: ${err.message} (run with --debug for the stack trace)`)}\n`);
  }
  if (options.debug && err.stack) process.stderr.write(`${err.stack}\n`);
  return status;
}
