import type { Destination, DestinationType } from '../spec.js';

/** What one destination contributes to the collector config. */
export interface ExporterPlan {
  /** The exporter's component type, e.g. `splunk_hec`; its id is `<type>/<destination name>`. */
  exporterType: string;
  config: Record<string, unknown>;
  /** Extensions this exporter needs (auth), by full component id. */
  extensions?: Record<string, Record<string, unknown>>;
}

/** One destination type: its exporter, the defaults it renders with, and how its keys map. */
export interface DestinationModule {
  type: DestinationType;
  /** One line for docs and `--help`. */
  summary: string;
  /**
   * How delivery is made durable: `persistent` = exporterhelper `sending_queue`
   * on file_storage with batching inside the queue; `none` = the exporter has no
   * queue and writes locally (file, debug): records go to it as they arrive.
   */
  queue: 'persistent' | 'none';
  /** The exporter's retry key: core `retry_on_failure`, elasticsearch's own `retry`, or none. */
  retry: 'retry_on_failure' | 'retry' | 'none';
  /** Top-level keys that are secrets although their name does not say so. */
  secretFields?: readonly string[];
  plan(destination: Destination): ExporterPlan;
}

/** confighttp `tls` from the file's `tls` block. */
export function tlsConfig(tls: unknown): Record<string, unknown> | undefined {
  if (typeof tls !== 'object' || tls === null) return undefined;
  const t = tls as { insecureSkipVerify?: boolean; caFile?: string };
  const out: Record<string, unknown> = {};
  if (t.insecureSkipVerify !== undefined) out.insecure_skip_verify = t.insecureSkipVerify;
  if (t.caFile !== undefined) out.ca_file = t.caFile;
  return out;
}

/** Drops undefined values, so optional keys the user left out are not rendered. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

export function str(destination: Destination, key: string): string | undefined {
  const value = destination[key];
  return typeof value === 'string' ? value : undefined;
}
