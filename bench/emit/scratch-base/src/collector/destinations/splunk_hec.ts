// Splunk HTTP Event Collector. The map body becomes the HEC `event`, attributes
// become indexed `fields` (so `event.name::repo.fork` works in SPL).
import type { DestinationModule } from './types.js';
import { compact, tlsConfig } from './types.js';

/** Exporter settings every splunk_hec destination renders with (not keys of the file). */
const fixed = {
  // The severity lands as HEC fields too, so searches can filter on it.
  otel_to_hec_fields: { severity_text: 'otel.log.severity.text', severity_number: 'otel.log.severity.number' },
  timeout: '10s',
};

export const splunkHec: DestinationModule<'splunk_hec'> = {
  type: 'splunk_hec',
  summary: 'Splunk HTTP Event Collector (splunk_hec exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => ({
    exporterType: 'splunk_hec',
    config: compact({
      sourcetype: d.sourcetype,
      source: d.source,
      ...fixed,
      endpoint: d.endpoint,
      token: d.token,
      index: d.index,
      tls: tlsConfig(d.tls),
    }),
  }),
};
