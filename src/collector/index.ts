// otel-audit/collector: destinations file → collector config, and the collector build.
export { provisionCollector } from '../tools/collector-build.js';
export { ToolUnavailableError } from '../tools/errors.js';
export { loadDestinations, parseDestinations, formatPath } from './load.js';
export { withDefaults, destinationsSchemaPath } from './spec.js';
export type { Destination, DestinationType, DestinationsInput, DestinationsSpec, CollectorSettings } from './spec.js';
export { DestinationsError, formatIssue } from './errors.js';
export type { SpecIssue } from './errors.js';
export { buildCollectorConfig, renderCollectorConfig, OUTPUT_FORMATS, IDS } from './render.js';
export type { BuiltConfig, CollectorConfig, OutputFormat, RenderOptions } from './render.js';
export { packageHelm, packageOperator, helmConfigPart, packagingWarnings } from './packaging.js';
export { findCollectorBinary, placeholderEnv, validateWithCollector, validateConfigWithCollector, blameDestination } from './validate.js';
export type { CollectorValidation, ValidateOptions } from './validate.js';
export { destinationModules } from './destinations/index.js';
export type { DestinationModule, ExporterPlan } from './destinations/index.js';
export { startHecReceiver } from './hec-receiver.js';
export type { HecReceiver, HecEvent, HecReceiverOptions } from './hec-receiver.js';
