// Sumo Logic HTTP Source. The source URL carries the credential, so the file
// must give it as an environment reference.
import type { DestinationModule } from './types.js';
import { str } from './types.js';

const defaults = {
  compression: 'gzip',
  max_request_body_size: 1048576,
  timeout: '30s',
};

export const sumologic: DestinationModule = {
  type: 'sumologic',
  summary: 'Sumo Logic HTTP Source (sumologic exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  secretFields: ['endpoint'],
  plan: (d) => ({
    exporterType: 'sumologic',
    config: { ...defaults, endpoint: str(d, 'endpoint'), log_format: str(d, 'logFormat') },
  }),
};
