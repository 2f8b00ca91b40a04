import { OtelAuditError } from '../errors.js';

/** A tool otel-audit needs (the collector, sigma-cli) is missing or cannot be built. */
export class ToolUnavailableError extends OtelAuditError {
  override readonly name = 'ToolUnavailableError';
  constructor(
    readonly tool: string,
    reason: string,
    /** What the user can do about it. */
    readonly fix: string,
  ) {
    super('TOOL_UNAVAILABLE', `${tool} is not available: ${reason}\nHow to fix: ${fix}`);
  }
}
