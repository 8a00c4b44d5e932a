// The restore API's arguments, checked before anything is planned or read, with Node's error codes:
// a missing or relative place is the caller's mistake, not a topology that cannot be restored.
import { InvalidArgumentError } from '../core/errors.js';
import { describeReceived, validateAbsolutePath, validateOptions } from '../core/validate.js';

/** The options of planRestore() and restore(): an object naming `into` and `staging` as absolute, normalized paths. */
export function validatePlaces(options: unknown, known: readonly string[]): void {
  if (options === undefined) throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "options" argument must be of type object (with into and staging). ${describeReceived(options)}`);
  validateOptions(options, 'options', known);
  const { into, staging } = options as { into?: unknown; staging?: unknown };
  validateAbsolutePath(into, 'options.into');
  validateAbsolutePath(staging, 'options.staging');
}

/** dump()'s arguments: parsed mountinfo entries, and an absolute, normalized directory. */
export function validateDumpArguments(entries: unknown, under: unknown): void {
  if (!Array.isArray(entries)) {
    throw new InvalidArgumentError('ERR_INVALID_ARG_TYPE', `The "entries" argument must be an array of mountinfo entries (parse() gives them). ${describeReceived(entries)}`);
  }
  validateAbsolutePath(under, 'under');
}
