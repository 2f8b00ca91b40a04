// What the spool may learn from an exporter beyond the LogRecordExporter interface:
// its name and whether it was auto-disabled (webhook destinations implement this).
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';

export interface DestinationStatus {
  /** A name for logs and metrics, e.g. the webhook URL without its query. */
  name: string;
  disabled: boolean;
  consecutiveFailures: number;
  /** Why it was disabled. */
  reason?: string;
}

export interface StatefulDestination {
  destinationStatus(): DestinationStatus;
  /** Tells the destination where to persist its state (the spool directory) when it has none. */
  useStateDirectory?(directory: string): void;
}

export function asStatefulDestination(exporter: LogRecordExporter): StatefulDestination | undefined {
  const candidate = exporter as Partial<StatefulDestination>;
  return typeof candidate.destinationStatus === 'function' ? (candidate as StatefulDestination) : undefined;
}

/** A delay an exporter's error asks for (from Retry-After), in milliseconds. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
