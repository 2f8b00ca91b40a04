// The Sigma documents otel-audit reads: detection rules, correlation rules and
// filters (spec 2.1), as they come out of YAML, plus where each came from.
import { OtelAuditError } from '../errors.js';

export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface SigmaLogsource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

/** Where a document came from: the file and its position in a multi-document file. */
export interface SigmaSource {
  file: string;
  /** 0-based index of the YAML document in the file. */
  document: number;
  /** The line and column (1-based) of a field path inside the document, e.g. `detection.selection.event.name|re`. */
  positionOf?(path: string): SourcePosition | undefined;
}

export interface SourcePosition {
  line: number;
  column: number;
}

interface SigmaCommon {
  title: string;
  id?: string;
  name?: string;
  status?: string;
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  references?: string[];
  tags?: string[];
  falsepositives?: string[] | string;
  level?: SigmaLevel;
  [custom: string]: unknown;
}

export interface SigmaDetectionRule extends SigmaCommon {
  logsource: SigmaLogsource;
  detection: Record<string, unknown> & { condition: string | string[] };
  fields?: string[];
}

export interface CorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
  field?: string | string[];
  /** value_percentile: which percentile (0–100) of the field's values is compared (pySigma's key; the spec names none). */
  percentile?: number;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile';

export interface SigmaCorrelationRule extends SigmaCommon {
  correlation: {
    type: CorrelationType;
    rules: string[];
    'group-by'?: string[];
    timespan: string;
    condition?: CorrelationCondition;
    aliases?: Record<string, Record<string, string>>;
  };
  generate?: boolean;
}

export interface SigmaFilter extends SigmaCommon {
  logsource: SigmaLogsource;
  filter: Record<string, unknown> & { rules: string[] | string; condition: string | string[] };
}

export type SigmaDocument =
  | { kind: 'rule'; source: SigmaSource; rule: SigmaDetectionRule }
  | { kind: 'correlation'; source: SigmaSource; rule: SigmaCorrelationRule }
  | { kind: 'filter'; source: SigmaSource; rule: SigmaFilter };

/** A problem found in a rule file: the file, the field path inside the document and the reason. */
export interface SigmaIssue {
  file: string;
  document: number;
  path: string;
  message: string;
  severity: 'error' | 'warning';
  /** 1-based line and column of `path` in the file, when the rule came from YAML text and the path is found. */
  line?: number;
  column?: number;
}

/**
 * Thrown when a rule cannot be parsed or compiled; names the file, the field
 * path, the reason and, when the rule came from YAML text, the line and column.
 */
export class SigmaError extends OtelAuditError {
  override readonly name = 'SigmaError';
  override readonly file: string;
  override readonly path: string;
  constructor(
    where: string | SigmaSource,
    path: string,
    readonly reason: string,
    position: SourcePosition | undefined = typeof where === 'string' ? undefined : where.positionOf?.(path),
  ) {
    const file = typeof where === 'string' ? where : where.file;
    const at = position ? ` (line ${position.line}, column ${position.column})` : '';
    super('SIGMA_RULE_INVALID', `${file}${path ? ` at ${path}` : ''}: ${reason}${at}`, { file, path, line: position?.line, column: position?.column });
    this.file = file;
    this.path = path;
  }
}
