// The API's argument errors in the words of the command line: the API names an option
// ('options.target'), the command names the same thing by its argument (TARGET) or flag (--mode).
import { InvalidArgumentError } from '../core/errors.js';
import { UsageError } from './errors.js';

/** API argument name -> what the command line calls it. */
export type CommandTerms = Record<string, string>;

/** `message` with each API argument it names written as the command line names it. */
function inTerms(message: string, terms: CommandTerms): string {
  let text = message;
  for (const [api, cli] of Object.entries(terms)) {
    text = text.replace(`The argument '${api}'`, cli).replace(`The "${api}" argument`, cli).replace(`The "${api}" property`, cli);
  }
  return text;
}

/** Runs an API call for a command: an argument it refuses is a UsageError naming the command's argument. */
export async function inCommandTerms<T>(terms: CommandTerms, call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new UsageError(inTerms(error.message, terms));
    throw error;
  }
}
