export { parseScenario, MAX_LINE_LENGTH, type Line, type Step } from './parse.js';
export { runScenario, formatFailure, ScenarioRun, type LineFailure, type NamedNamespace, type RunOptions, type ScenarioResult } from './run.js';
