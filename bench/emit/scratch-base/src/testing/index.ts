// otel-audit/testing: receivers that record what arrives, for users' own tests
// (as the OpenTelemetry SDK's InMemoryLogRecordExporter is) and ours. Each
// listens on 127.0.0.1, on a free port unless told otherwise.
export { startOtlpReceiver, type OtlpReceiver, type OtlpReceiverOptions, type OtlpRequest } from './otlp-receiver.js';
export { startHecReceiver, type HecEvent, type HecReceiver, type HecReceiverOptions } from './hec-receiver.js';
export { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver, type WebhookReceiverOptions, type WebhookResponder } from './webhook-receiver.js';
