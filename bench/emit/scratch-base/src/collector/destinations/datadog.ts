// Datadog Logs through the datadog exporter (logs agent path).
import type { DestinationModule } from './types.js';
import { compact } from './types.js';

/** Exporter settings every datadog destination renders with (not keys of the file). */
const fixed = {
  // Audit records only: do not send host metadata or metrics.
  host_metadata: { enabled: false },
};

export const datadog: DestinationModule<'datadog'> = {
  type: 'datadog',
  summary: 'Datadog Logs (datadog exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => ({
    exporterType: 'datadog',
    config: compact({
      ...fixed,
      api: { key: d.apiKey, site: d.site },
      hostname: d.hostname,
      // Overrides the intake the site implies; the logs agent posts to <endpoint>/api/v2/logs.
      logs: d.endpoint === undefined ? undefined : { endpoint: d.endpoint },
    }),
  }),
};
