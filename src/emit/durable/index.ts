// Durable delivery: the on-disk spool, the sender, webhook destinations (docs/delivery.md).
export { createDurableLogRecordProcessor, emitDurably } from './processor.js';
export type { DurableLogRecordProcessor, DurableProcessorOptions, FsyncMode, OnFullPolicy, SpoolStats } from './processor.js';
export type { RetryOptions } from './sender.js';
export type { RecoveryReport } from './segment-log.js';
export { SpoolFullError, SpoolLockedError, SpoolOptionError, SpoolWriteError } from './errors.js';
export { listDeliveries, parseDuration, DELIVERY_LOG_FILE } from './delivery-log.js';
export type { DeliveryEntry, DeliveryOutcome, ListDeliveriesOptions } from './delivery-log.js';
export type { DestinationStatus, StatefulDestination } from './destination.js';
export { METER_NAME as SPOOL_METER_NAME } from './metrics.js';
export * from '../webhook/index.js';
