/** A tool otel-audit needs (the collector, sigma-cli) is missing or cannot be built. */
export class ToolUnavailableError extends Error {
  override readonly name = 'ToolUnavailableError';
  constructor(
    readonly tool: string,
    reason: string,
    /** What the user can do about it. */
    readonly fix: string,
  ) {
    super(`${tool} is not available: ${reason}\nHow to fix: ${fix}`);
  }
}
