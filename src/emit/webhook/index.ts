// Webhook destinations: signed JSON POSTs of canonical events, and verification for receivers.
export { createWebhookExporter, destinationName, parseRetryAfter, postWebhook, webhookRequest, WebhookDeliveryError, WebhookDisabledError } from './exporter.js';
export type { WebhookExporterOptions, WebhookLogRecordExporter, WebhookResponse } from './exporter.js';
export { signWebhookBody, signatureBase, verifyWebhook, WEBHOOK_HEADERS } from './signing.js';
export type { HeaderBag, VerifyWebhookOptions, VerifyWebhookResult } from './signing.js';
export { sendWebhookTest, webhookTestEvent } from './test-event.js';
export type { WebhookTestResult } from './test-event.js';
export { enableDestination, readDestinationStates, DESTINATIONS_FILE } from './state.js';
export type { StoredDestinationState } from './state.js';
