// Validates Sigma documents: the official JSON schemas (vendored in
// sigma/schemas/) with ajv 2020-12, plus the checks the schemas miss
// (empty logsource, list conditions, correlation operators, fields and
// timespans, conditions that do not compile, references that go nowhere).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { packageRoot } from '../package-root.js';
import { compileDetection, DetectionError } from './detection.js';
import { parseTimespan } from './correlation.js';
import type { SigmaDocument, SigmaIssue } from './types.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

export const SCHEMA_FILES = {
  rule: 'sigma-detection-rule-schema.json',
  correlation: 'sigma-correlation-rules-schema.json',
  filter: 'sigma-filters-schema.json',
} as const;

let validators: Record<SigmaDocument['kind'], ValidateFunction> | undefined;

function schemaValidators(): Record<SigmaDocument['kind'], ValidateFunction> {
  if (validators) return validators;
  // The correlation schema uses keywords ajv's strict mode rejects (`condition` inside `then`).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const load = (file: string) => JSON.parse(readFileSync(join(packageRoot(), 'sigma', 'schemas', file), 'utf8')) as object;
  validators = {
    rule: ajv.compile(load(SCHEMA_FILES.rule)),
    correlation: ajv.compile(load(SCHEMA_FILES.correlation)),
    filter: ajv.compile(load(SCHEMA_FILES.filter)),
  };
  return validators;
}

function pathOf(instancePath: string): string {
  return instancePath.replace(/^\//, '').split('/').filter(Boolean).map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('').replace(/^\./, '');
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'required') return `missing required field "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'const' || error.keyword === 'enum') return `${error.message ?? 'invalid'}: ${JSON.stringify(error.params.allowedValue ?? error.params.allowedValues)}`;
  return error.message ?? error.keyword;
}

/** The schema errors, without the noise of every failed `oneOf`/`anyOf` branch when a plainer error names the field. */
function schemaIssues(doc: SigmaDocument, value: unknown): SigmaIssue[] {
  const validate = schemaValidators()[doc.kind];
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  const seen = new Set<string>();
  const issues: SigmaIssue[] = [];
  // A `oneOf` of constants (level, status) fails once per constant: say it once, as "one of …".
  const constantsAt = new Map<string, unknown[]>();
  for (const error of errors) {
    if (error.keyword === 'const') constantsAt.set(error.instancePath, [...(constantsAt.get(error.instancePath) ?? []), error.params.allowedValue]);
  }
  for (const error of errors) {
    const constants = constantsAt.get(error.instancePath);
    if (constants && constants.length > 1 && error.keyword === 'const') continue;
    const oneOfConstants = constants && constants.length > 1 && ['oneOf', 'anyOf'].includes(error.keyword);
    if (!oneOfConstants && ['oneOf', 'anyOf', 'if'].includes(error.keyword) && errors.some((e) => e !== error && e.instancePath === error.instancePath && e.keyword !== 'const')) continue;
    const path = pathOf(error.instancePath) || '(document)';
    const message = oneOfConstants ? `must be one of ${constants.map((value) => JSON.stringify(value)).join(', ')}` : describe(error);
    const key = `${path}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ file: doc.source.file, document: doc.source.document, path, message: `does not match the Sigma schema: ${message}`, severity: 'error' });
  }
  return issues;
}

// `percentile` (0–100) is pySigma's key for value_percentile; the spec names no percentile.
const CORRELATION_OPERATORS = new Set(['gt', 'gte', 'lt', 'lte', 'eq', 'neq', 'field', 'percentile']);
const VALUE_TYPES = new Set(['value_count', 'value_sum', 'value_avg', 'value_percentile']);

/** The checks the JSON schemas miss. */
function customIssues(doc: SigmaDocument, all: readonly SigmaDocument[]): SigmaIssue[] {
  const issues: SigmaIssue[] = [];
  const issue = (path: string, message: string, severity: SigmaIssue['severity'] = 'error') => issues.push({ file: doc.source.file, document: doc.source.document, path, message, severity });
  const checkLogsource = (logsource: unknown) => {
    const ls = (logsource ?? {}) as Record<string, unknown>;
    if (typeof logsource === 'object' && logsource !== null && !ls.category && !ls.product && !ls.service) issue('logsource', 'the log source is empty: set category, product or service');
  };
  const checkDetection = (detection: unknown, section: string) => {
    if (typeof detection !== 'object' || detection === null) return;
    try {
      compileDetection(detection as Record<string, unknown>, {}, section);
    } catch (error) {
      if (!(error instanceof DetectionError)) throw error;
      const position = doc.source.positionOf?.(error.path);
      issues.push({ file: doc.source.file, document: doc.source.document, path: error.path, message: error.message, severity: 'error', ...(position ? { line: position.line, column: position.column } : {}) });
    }
  };
  if (doc.kind === 'rule') {
    checkLogsource(doc.rule.logsource);
    checkDetection(doc.rule.detection, 'detection');
  } else if (doc.kind === 'filter') {
    checkLogsource(doc.rule.logsource);
    const { rules: _rules, ...detection } = doc.rule.filter ?? {};
    checkDetection(detection, 'filter');
  } else {
    const c = doc.rule.correlation;
    if (typeof c !== 'object' || c === null) return issues;
    if (parseTimespan(String(c.timespan)) === undefined) issue('correlation.timespan', `"${String(c.timespan)}" is not a timespan: a number followed by s, m, h or d (e.g. 10m)`);
    const condition = (c.condition ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(condition)) if (!CORRELATION_OPERATORS.has(key)) issue(`correlation.condition.${key}`, `unknown condition operator "${key}" (gt, gte, lt, lte, eq, neq, field, percentile)`);
    for (const [key, value] of Object.entries(condition)) if (key !== 'field' && !Number.isInteger(value)) issue(`correlation.condition.${key}`, 'must be an integer');
    if (VALUE_TYPES.has(c.type) && !condition.field) issue('correlation.condition.field', `${c.type} needs condition.field, the field whose values it aggregates`);
    if (!VALUE_TYPES.has(c.type) && condition.field !== undefined) issue('correlation.condition.field', `field has no meaning for ${c.type}`, 'warning');
    if (c.type === 'event_count' || VALUE_TYPES.has(c.type)) {
      if (!Object.keys(condition).some((k) => k !== 'field' && k !== 'percentile')) issue('correlation.condition', `${c.type} needs a comparison (gt, gte, lt, lte, eq or neq)`);
    }
    const percentile = condition.percentile;
    if (c.type === 'value_percentile' && (!Number.isInteger(percentile) || (percentile as number) < 0 || (percentile as number) > 100)) {
      issue('correlation.condition.percentile', 'value_percentile needs percentile, an integer from 0 to 100 (e.g. percentile: 95)');
    }
    if (c.type !== 'value_percentile' && percentile !== undefined) issue('correlation.condition.percentile', `percentile has no meaning for ${c.type}`, 'warning');
    // Not a list of strings: the schema errors above say so.
    (Array.isArray(c.rules) ? c.rules : []).forEach((ref, index) => {
      const found = all.some((d) => d !== doc && (d.rule.id === ref || d.rule.name === ref));
      if (!found) issue(`correlation.rules[${index}]`, `no rule or correlation among the checked files has the id or name "${ref}"`);
    });
  }
  return issues;
}

/** All schema and custom issues of `documents`; references are resolved among them. */
export function validateDocuments(documents: readonly SigmaDocument[]): SigmaIssue[] {
  return documents.flatMap((doc) => {
    // The schema wants a string condition; the spec also allows a list, checked by customIssues.
    let value: unknown = doc.rule;
    const detection = doc.kind === 'rule' ? doc.rule.detection : undefined;
    if (detection && Array.isArray(detection.condition)) value = { ...doc.rule, detection: { ...detection, condition: detection.condition.join(' or ') } };
    return [...schemaIssues(doc, value), ...customIssues(doc, documents)];
  });
}
