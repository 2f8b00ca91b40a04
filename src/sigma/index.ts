// otel-audit/sigma: the Sigma rule engine and sigma-cli integration.
export { provisionSigmaCli } from '../tools/sigma-venv.js';
export { ToolUnavailableError } from '../tools/errors.js';
