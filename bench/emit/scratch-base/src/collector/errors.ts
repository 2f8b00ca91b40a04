import { OtelAuditError } from '../errors.js';

/** One problem in a destinations file: where it is and why it is wrong. */
export interface SpecIssue {
  file: string;
  /** The path inside the file, e.g. `destinations[1].token` (empty for the whole file). */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

export function formatIssue(issue: SpecIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return `${where}: ${issue.path || '(file)'}: ${issue.message}`;
}

/** A destinations file has problems; all of them are listed, not only the first. */
export class DestinationsError extends OtelAuditError {
  override readonly name = 'DestinationsError';
  /** The location is the first issue's; `issues` has all of them. */
  constructor(readonly issues: SpecIssue[]) {
    const first = issues[0];
    super(
      'DESTINATIONS_INVALID',
      `${issues.length} problem${issues.length === 1 ? '' : 's'} in ${first?.file ?? 'the destinations file'}:\n` + issues.map((i) => `  ${formatIssue(i)}`).join('\n'),
      first ? { file: first.file, line: first.line, column: first.column, path: first.path } : {},
    );
  }
}
