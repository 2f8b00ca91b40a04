// Sizes derived from the destinations file, shared by the compose, Helm and
// operator outputs (docs/collector.md, "Sizing").
import type { CollectorSettings } from './spec.js';

/**
 * The container memory limit: memoryLimiter.limitMiB plus 25% headroom. The
 * limiter measures the Go heap only; goroutine stacks, the binary, and the
 * pages file_storage maps for its queue live outside it. limit_mib is then
 * 80% of the container's memory, as the memory_limiter's docs advise.
 */
export function containerMemoryMiB(c: CollectorSettings): number {
  return Math.ceil(c.memoryLimiter.limitMiB * 1.25);
}

/**
 * GOMEMLIMIT: 80% of the container limit (so about limit_mib), the Go
 * runtime's soft limit; the Helm chart computes the same from
 * resources.limits.memory (its useGOMEMLIMIT).
 */
export function goMemLimitMiB(c: CollectorSettings): number {
  return Math.floor(containerMemoryMiB(c) * 0.8);
}

/** Records in one queued request: the OpenTelemetry SDKs' default export batch (maxExportBatchSize). */
export const TYPICAL_RECORDS_PER_REQUEST = 512;
/** Bytes of one audit record on disk (an OTLP log record with its attributes, protobuf). */
export const TYPICAL_RECORD_BYTES = 1024;

/**
 * The queue volume: every persistent queue full (queue.size requests of a
 * typical batch each), plus 25% for the store's own overhead, in whole GiB
 * (at least 1).
 */
export function queueVolumeGiB(c: CollectorSettings, persistentQueues: number): number {
  const bytes = Math.max(1, persistentQueues) * c.queue.size * TYPICAL_RECORDS_PER_REQUEST * TYPICAL_RECORD_BYTES * 1.25;
  return Math.max(1, Math.ceil(bytes / 2 ** 30));
}
