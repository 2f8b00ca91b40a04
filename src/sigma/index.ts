// otel-audit/sigma: the Sigma rule engine, the pack checks and tests, and
// sigma-cli integration.
export { provisionSigmaCli } from '../tools/sigma-venv.js';
export { ToolUnavailableError } from '../tools/errors.js';
export { SigmaError, type SigmaDocument, type SigmaIssue, type SigmaDetectionRule, type SigmaCorrelationRule, type SigmaFilter, type SigmaLogsource, type SigmaLevel } from './types.js';
export { parseSigmaText, parseSigmaFile, loadSigmaDocuments, listYamlFiles } from './parse.js';
export { parseCondition, expandPattern, ConditionSyntaxError, type ConditionNode } from './condition.js';
export { compileDetection, DetectionError, SUPPORTED_MODIFIERS, type CompiledDetection, type CompileOptions, type Matcher } from './detection.js';
export { SigmaEngine, SigmaSession, type SigmaMatch, type EngineOptions } from './engine.js';
export {
  readEventViews,
  viewOfCanonical,
  viewOfLogRecord,
  AttributeView,
  CanonicalView,
  compileField,
  canonicalToAttributes,
  type CanonicalEvent,
  type EventView,
  type CompiledField,
} from './events.js';
export { validateDocuments } from './validate.js';
export { checkPack, conventionIssues, defaultRulesPath, type CheckResult } from './pack.js';
export { loadEventCatalog, type EventCatalog } from './catalog.js';
export { runRuleTests, untestedRules, caseEvents, type RuleTestResult } from './testing.js';
export { convertRules, loadTargets, requireSigmaCli, type ConvertOptions, type ConvertResult, type ConvertTarget } from './convert.js';
