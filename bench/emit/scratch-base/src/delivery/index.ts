// otel-audit/delivery: durable delivery (the on-disk spool and its sender),
// webhook exporters and their signing, and the deliveries record
// (docs/delivery.md). An explicit list: what is here is public API, checked
// against api/otel-audit-delivery.api.md by the tests.

// The durable spool.
export { createDurableLogRecordProcessor, emitDurably, type DurableLogRecordProcessor, type DurableProcessorOptions, type FsyncMode, type OnFullPolicy, type SpoolStats } from './durable/processor.js';
export type { RetryOptions } from './durable/sender.js';
export type { RecoveryReport } from './durable/segment-log.js';
export { SpoolFullError, SpoolLockedError, SpoolOptionError, SpoolWriteError } from './durable/errors.js';
export type { DeliveryTarget, DeliveryTargetStatus } from './durable/target.js';

// What happened to deliveries.
export { listDeliveries, type DeliveryEntry, type DeliveryOutcome, type ListDeliveriesOptions } from './durable/delivery-log.js';
export { enableTarget, readTargetStates, type StoredTargetState } from './webhook/state.js';

// Webhooks.
export { createWebhookExporter, WebhookDeliveryError, WebhookDisabledError, type WebhookExporterOptions, type WebhookLogRecordExporter, type WebhookResponse } from './webhook/exporter.js';
export { createReplayCache, verifyWebhook, WEBHOOK_HEADERS, type HeaderBag, type ReplayCache, type ReplayCacheOptions, type VerifyWebhookOptions, type VerifyWebhookResult } from './webhook/signing.js';
export { sendWebhookTest, type WebhookTestResult } from './webhook/test-event.js';
