// Splunk HTTP Event Collector. The map body becomes the HEC `event`, attributes
// become indexed `fields` (so `event.name::repo.fork` works in SPL).
import type { DestinationModule } from './types.js';
import { compact, str, tlsConfig } from './types.js';

const defaults = {
  sourcetype: 'otel:audit',
  source: 'otel-audit',
  // The severity lands as HEC fields too, so searches can filter on it.
  otel_to_hec_fields: { severity_text: 'otel.log.severity.text', severity_number: 'otel.log.severity.number' },
  timeout: '10s',
};

export const splunkHec: DestinationModule = {
  type: 'splunk_hec',
  summary: 'Splunk HTTP Event Collector (splunk_hec exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => ({
    exporterType: 'splunk_hec',
    config: compact({
      ...defaults,
      endpoint: str(d, 'endpoint'),
      token: str(d, 'token'),
      index: str(d, 'index'),
      source: str(d, 'source') ?? defaults.source,
      sourcetype: str(d, 'sourcetype') ?? defaults.sourcetype,
      tls: tlsConfig(d.tls),
    }),
  }),
};
