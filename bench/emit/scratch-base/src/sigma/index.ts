// otel-audit/sigma: the Sigma rule engine, the pack's checks and tests, and
// sigma-cli conversion (docs/sigma.md). An explicit list: what is here is
// public API, checked against api/otel-audit-sigma.api.md by the tests.

// Rules.
export { SigmaError, type SigmaDocument, type SigmaIssue, type SigmaDetectionRule, type SigmaCorrelationRule, type SigmaFilter, type SigmaLogsource, type SigmaLevel, type SigmaSource, type SourcePosition } from './types.js';
export { parseSigmaText, parseSigmaFile, loadSigmaDocuments } from './parse.js';
export { ConditionSyntaxError } from './condition.js';
export { DetectionError, SUPPORTED_MODIFIERS } from './detection.js';

// The engine and the events it reads.
export { SigmaEngine, SigmaSession, type SigmaMatch, type EngineOptions } from './engine.js';
export { readEventContent, readEventViews, viewOfCanonical, viewOfLogRecord, type EventReadResult, type EventView } from './events.js';
export type { PartialCanonicalEvent } from './events.js';
export type { CompileOptions } from './detection.js';

// The pack: checks, rule tests, conversion with sigma-cli.
export { validateDocuments } from './validate.js';
export { checkPack, defaultRulesPath, type CheckOptions, type CheckResult } from './pack.js';
export { runRuleTests, untestedRules, type RuleTestResult } from './testing.js';
export { formatCheckResult, formatTestResults, type ReportFormat } from './report.js';
export { convertRules, loadTargets, type ConvertOptions, type ConvertResult, type ConvertTarget, type RuleQuery } from './convert.js';
export { ToolUnavailableError } from '../tools/errors.js';
