// Amazon CloudWatch Logs. Credentials come from the AWS default chain (or
// role_arn); each record becomes a JSON message with body, attributes, resource.
import type { DestinationModule } from './types.js';
import { compact } from './types.js';

/** Exporter settings every awscloudwatchlogs destination renders with (not keys of the file). */
const fixed = {
  raw_log: false,
};

export const awsCloudWatchLogs: DestinationModule<'awscloudwatchlogs'> = {
  type: 'awscloudwatchlogs',
  summary: 'Amazon CloudWatch Logs (awscloudwatchlogs exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => ({
    exporterType: 'awscloudwatchlogs',
    config: compact({
      ...fixed,
      region: d.region,
      log_group_name: d.logGroup,
      log_stream_name: d.logStream,
      log_retention: d.retentionDays,
      role_arn: d.roleArn,
      endpoint: d.endpoint,
    }),
  }),
};
