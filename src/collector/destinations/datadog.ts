// Datadog Logs through the datadog exporter (logs agent path).
import type { DestinationModule } from './types.js';
import { compact, str } from './types.js';

const defaults = {
  // Audit records only: do not send host metadata or metrics.
  host_metadata: { enabled: false },
};

export const datadog: DestinationModule = {
  type: 'datadog',
  summary: 'Datadog Logs (datadog exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => ({
    exporterType: 'datadog',
    config: compact({
      ...defaults,
      api: { key: str(d, 'apiKey'), site: str(d, 'site') },
      hostname: str(d, 'hostname'),
    }),
  }),
};
