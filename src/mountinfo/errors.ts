// Errors of the mountinfo module. They live here rather than in src/core/errors.ts so that the pure
// parser stays free of node:* imports (src/core/errors.ts imports node:os and node:util).

/** The class of malformed input a MountinfoParseError reports. */
export type MountinfoProblem =
  | 'empty-input'
  | 'truncated-line'
  | 'missing-separator'
  | 'empty-field'
  | 'bad-escape'
  | 'bad-number'
  | 'bad-optional-field'
  | 'duplicate-id';

/** Text that is not what the kernel writes to /proc/PID/mountinfo. */
export class MountinfoParseError extends Error {
  override name = 'MountinfoParseError';
  /** 1-based number of the offending line. */
  readonly line: number;
  /** Which class of malformed input this is. */
  readonly problem: MountinfoProblem;
  /** What is wrong, in words: `bad octal escape "\9" in mount point`. */
  readonly reason: string;

  constructor(line: number, problem: MountinfoProblem, reason: string) {
    super(`mountinfo line ${line}: ${reason}`);
    this.line = line;
    this.problem = problem;
    this.reason = reason;
  }
}

/** A mountinfo file larger than the limit the caller set for reading it. */
export class MountinfoTooLargeError extends RangeError {
  override name = 'MountinfoTooLargeError';
  readonly path: string;
  /** The limit, in bytes, that the file exceeded. */
  readonly maxBytes: number;

  constructor(path: string, maxBytes: number) {
    super(`mountinfo ${path} is larger than ${maxBytes} bytes (raise maxBytes to read it)`);
    this.path = path;
    this.maxBytes = maxBytes;
  }
}
