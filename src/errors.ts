// The one root of every error otel-audit throws at a user: a stable `code` to
// branch on (messages may be reworded, codes may not), and where the problem
// is when there is a place to point at. docs/errors.md lists the codes; a test
// checks that list against ERROR_CODES.

/** Every code, with what it means. Adding a code is an edit here and in docs/errors.md. */
export const ERROR_CODES = {
  AUDIT_EVENT_INVALID: 'an event does not match its catalog (unknown name, data failing its schema, a field over its size limit)',
  CATALOG_INVALID: 'a catalog file or definition is malformed',
  DESTINATIONS_INVALID: 'a destinations file has problems (each is listed with its file, line, column and path)',
  OPTION_INVALID: 'a function was called with a bad option; the message names the option and the reason',
  INPUT_INVALID: 'an input file (events, OTLP lines, a duration) cannot be read; file and line are set',
  LOGGER_SHUT_DOWN: 'an event was emitted after the audit logger began to shut down; it was not accepted (nothing would send it, and no digest would sign it)',
  SPOOL_FULL: "the durable spool is full and onFull is 'reject'; the record was not written",
  SPOOL_WRITE_FAILED: 'the durable spool could not append the record (disk full, permissions); it was not written',
  SPOOL_LOCKED: 'another process holds the spool directory, or this process lost its lock to another (it then stops writing)',
  SPOOL_OPTION_INVALID: 'createDurableLogRecordProcessor was given a bad option',
  SPOOL_DIRECTORY_UNSAFE: 'the spool directory cannot be used safely: owned by another user, writable by others, a symbolic link, or holding a planted file',
  WEBHOOK_DELIVERY_FAILED: 'a webhook receiver refused or did not answer a delivery',
  WEBHOOK_DISABLED: 'a webhook destination is disabled after repeated failures; records stay in the spool',
  SIGMA_RULE_INVALID: 'a Sigma rule cannot be parsed or compiled; file, line, column and path are set',
  SIGMA_CONDITION_INVALID: "a Sigma rule's condition has a syntax error",
  SIGMA_DETECTION_INVALID: 'a Sigma detection cannot be compiled (an unknown modifier, a bad value)',
  TOOL_UNAVAILABLE: 'a tool otel-audit needs (the collector, sigma-cli, Helm) is missing or cannot be built',
  TOOL_FAILED: 'a tool otel-audit ran (the collector, sigma-cli) failed; its output is in the message',
  SETUP_FAILED: "`otel-audit collector setup` could not apply a step: an environment variable it reads is unset, or the destination's server refused or did not answer (its answer is in the message)",
  DEMO_DAY_INVALID: "a demo day file is malformed",
  INTERNAL: "otel-audit's own files (schemas/contract.json) are inconsistent: a bug or a damaged install",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where a problem is: a file, a position in it, a path inside a document or an event. */
export interface ErrorLocation {
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** A path inside the document or event, e.g. `destinations[1].token` or `data.repo.id`. */
  path?: string;
}

export class OtelAuditError extends Error {
  override readonly name: string = 'OtelAuditError';
  readonly code: ErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;

  constructor(code: ErrorCode, message: string, location: ErrorLocation = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    if (location.file !== undefined) this.file = location.file;
    if (location.line !== undefined) this.line = location.line;
    if (location.column !== undefined) this.column = location.column;
    if (location.path !== undefined) this.path = location.path;
  }
}

/** An input file that cannot be read as what it should be. */
export class InputError extends OtelAuditError {
  override readonly name: string = 'InputError';
  constructor(message: string, location: ErrorLocation = {}, options?: ErrorOptions) {
    super('INPUT_INVALID', message, location, options);
  }
}
