// What the spool may learn from an exporter beyond the LogRecordExporter interface:
// its name and whether it was auto-disabled (webhook destinations implement this).
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';

export interface DeliveryTargetStatus {
  /** A name for logs and metrics, e.g. the webhook URL without its query. */
  name: string;
  disabled: boolean;
  consecutiveFailures: number;
  /** Why it was disabled. */
  reason?: string;
}

export interface DeliveryTarget {
  targetStatus(): DeliveryTargetStatus;
  /** Tells the destination where to persist its state (the spool directory) when it has none. */
  useStateDirectory?(directory: string): void;
}

export function asDeliveryTarget(exporter: LogRecordExporter): DeliveryTarget | undefined {
  const candidate = exporter as Partial<DeliveryTarget>;
  return typeof candidate.targetStatus === 'function' ? (candidate as DeliveryTarget) : undefined;
}

/** A delay an exporter's error asks for (from Retry-After), in milliseconds. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMillis?: unknown } | undefined)?.retryAfterMillis;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
