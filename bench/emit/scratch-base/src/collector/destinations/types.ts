import type { DestinationTls, DestinationType, ResolvedDestination } from '../destination-types.js';

type ResolvedByType = { [T in DestinationType]: Extract<ResolvedDestination, { type: T }> };

/** One destination of type `T` as the modules get it: schema defaults applied (spec.ts `withDefaults`). */
export type DestinationOf<T extends DestinationType> = ResolvedByType[T];

/** What one destination contributes to the collector config. */
export interface ExporterPlan {
  /** The exporter's component type, e.g. `splunk_hec`; its id is `<type>/<destination name>`. */
  exporterType: string;
  config: Record<string, unknown>;
  /** Extensions this exporter needs (auth), by full component id. */
  extensions?: Record<string, Record<string, unknown>>;
  /** Processors this destination's pipeline runs after its route filter, in order, by full component id. */
  processors?: Record<string, Record<string, unknown>>;
}

/**
 * One destination type: its exporter, the fixed exporter settings it renders
 * with, and how its keys map. The keys' defaults are not here: they live in the
 * schema, and `plan` gets the destination with them applied.
 */
export interface DestinationModule<T extends DestinationType = DestinationType> {
  type: T;
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
  plan(destination: DestinationOf<T>): ExporterPlan;
}

/** confighttp `tls` from the file's `tls` block. */
export function tlsConfig(tls: DestinationTls | undefined): Record<string, unknown> | undefined {
  if (tls === undefined) return undefined;
  const out: Record<string, unknown> = {};
  if (tls.insecureSkipVerify !== undefined) out.insecure_skip_verify = tls.insecureSkipVerify;
  if (tls.caFile !== undefined) out.ca_file = tls.caFile;
  return out;
}

/** Drops undefined values, so optional keys the user left out are not rendered. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
