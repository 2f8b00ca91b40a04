// Sumo Logic HTTP Source. The source URL carries the credential, so the file
// must give it as an environment reference.
import type { DestinationModule } from './types.js';

/** Exporter settings every sumologic destination renders with (not keys of the file). */
const fixed = {
  compression: 'gzip',
  max_request_body_size: 1048576,
  timeout: '30s',
};

export const sumologic: DestinationModule<'sumologic'> = {
  type: 'sumologic',
  summary: 'Sumo Logic HTTP Source (sumologic exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  secretFields: ['endpoint'],
  plan: (d) => ({
    exporterType: 'sumologic',
    config: { ...fixed, endpoint: d.endpoint, log_format: d.logFormat },
  }),
};
