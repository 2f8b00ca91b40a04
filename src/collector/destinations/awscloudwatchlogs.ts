// Amazon CloudWatch Logs. Credentials come from the AWS default chain (or
// role_arn); each record becomes a JSON message with body, attributes, resource.
import type { DestinationModule } from './types.js';
import { compact, str } from './types.js';

const defaults = {
  raw_log: false,
};

export const awsCloudWatchLogs: DestinationModule = {
  type: 'awscloudwatchlogs',
  summary: 'Amazon CloudWatch Logs (awscloudwatchlogs exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => ({
    exporterType: 'awscloudwatchlogs',
    config: compact({
      ...defaults,
      region: str(d, 'region'),
      log_group_name: str(d, 'logGroup'),
      log_stream_name: str(d, 'logStream'),
      log_retention: typeof d.retentionDays === 'number' ? d.retentionDays : undefined,
      role_arn: str(d, 'roleArn'),
      endpoint: str(d, 'endpoint'),
    }),
  }),
};
