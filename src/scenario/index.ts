export { parseScenario, MAX_LINE_LENGTH, type Line, type Step } from './parse.js';
export { runScenario, formatFailure, type LineFailure, type RunOptions, type ScenarioResult } from './run.js';
