// Elasticsearch `_bulk` through the elasticsearch exporter (otel mapping mode:
// attributes under `attributes.*`, data streams logs-<dataset>-<namespace>).
import type { DestinationModule } from './types.js';
import { compact, tlsConfig } from './types.js';

/** Exporter settings every elasticsearch destination renders with (not keys of the file). */
const fixed = {
  mapping: { mode: 'otel' },
  // Its own retry block: retry bulk items on 429 and 5xx.
  retry: { enabled: true, max_retries: 10, initial_interval: '1s', max_interval: '1m', retry_on_status: [429, 500, 502, 503, 504] },
};

export const elasticsearch: DestinationModule<'elasticsearch'> = {
  type: 'elasticsearch',
  summary: 'Elasticsearch (elasticsearch exporter)',
  queue: 'persistent',
  retry: 'retry',
  plan: (d) => ({
    exporterType: 'elasticsearch',
    config: compact({
      ...fixed,
      endpoints: [d.endpoint],
      user: d.username,
      password: d.password,
      api_key: d.apiKey,
      logs_index: d.index,
      tls: tlsConfig(d.tls),
    }),
  }),
};
