// otel-audit/collector: a destinations file becomes a complete collector
// config (or Helm values, an OpenTelemetryCollector resource, a Docker Compose file), checked by
// the real collector's `validate` (docs/collector.md). An explicit list: what
// is here is public API, checked against api/otel-audit-collector.api.md.

// The destinations file.
export { loadDestinations, parseDestinations } from './load.js';
export type { Destination, DestinationType, DestinationsInput, DestinationsSpec, CollectorSettings, ResolvedDestination } from './spec.js';
export { DestinationsError, type SpecIssue } from './errors.js';

// Rendering.
export { buildCollectorConfig, renderCollectorConfig, OUTPUT_FORMATS, type BuiltConfig, type CollectorConfig, type OutputFormat, type RenderOptions } from './render.js';
export { packageHelm, packageOperator, packagingWarnings } from './packaging.js';
export { renderCompose, packageCompose, composeWarnings, type ComposeOptions } from './compose.js';

// The SIEM side: what each destination needs on its server (an OpenSearch index template, the steps for the others).
export { setupDestinations, formatSetupReport, openSearchIndexTemplate, type SetupOptions, type SetupReport, type SetupRequest, type SetupStep } from './setup.js';

// Checking with the real collector.
export { validateWithCollector, validateConfigWithCollector, type CollectorValidation, type ValidateOptions } from './validate.js';
export { ToolUnavailableError } from '../tools/errors.js';
