// Amazon CloudWatch Logs. Credentials come from the AWS default chain (or
// role_arn); each record becomes a JSON message with body, attributes, resource.
import type { DestinationModule } from './types.js';
import { compact } from './types.js';

/** Exporter settings every awscloudwatchlogs destination renders with (not keys of the file). */
const fixed = {
  raw_log: false,
};

/**
 * CloudWatch Logs refuses an event older than 14 days (or than the group's
 * retention) or more than 2 hours ahead, and the exporter checks that itself
 * when it sends: it fails the whole batch, the queue retries it for ever and
 * every other record of the batch is sent again on each try. A record that is
 * already more than 12 hours old (a backlog replayed from a spool) or an hour
 * ahead when it reaches the collector gets no timestamp, so the exporter stamps
 * it with the time it sends it; its own time stays in the body (`time`).
 */
const STALE_TIME = 'time_unix_nano < UnixNano(Now()) - 43200000000000 or time_unix_nano > UnixNano(Now()) + 3600000000000';

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
    processors: {
      [`transform/cloudwatch-time-${d.name}`]: { error_mode: 'ignore', log_statements: [{ context: 'log', statements: [`set(time_unix_nano, 0) where ${STALE_TIME}`] }] },
    },
  }),
};
