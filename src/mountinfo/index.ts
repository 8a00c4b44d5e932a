// /proc/PID/mountinfo: parse, render, normalize for comparison. Pure: nothing here imports
// node:*, so the model can use it; reading a file is in ./read.js (readMountinfo, parseFile).
export type { MountInfo } from './types.js';
export { MountinfoParseError, MountinfoTooLargeError, type MountinfoProblem } from './errors.js';
export { parse, type ParseOptions } from './parse.js';
export { render, renderLine, escapePath, mangle } from './render.js';
export { normalize, normalizeTogether, type NormalizeOptions, type OptionPolicy } from './normalize.js';
export { diffMountinfo, type MountTable } from './diff.js';
