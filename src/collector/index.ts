// otel-audit/collector: destinations file → collector config, and the collector build.
export { provisionCollector } from '../tools/collector-build.js';
export { ToolUnavailableError } from '../tools/errors.js';
