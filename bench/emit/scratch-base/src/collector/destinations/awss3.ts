// Amazon S3 (or a compatible store): the `body` marshaler writes each record's
// body, i.e. the canonical audit event, as one JSON line; objects are
// partitioned by time (year=/month=/day=/hour=) for Athena and lake tools.
import type { DestinationModule } from './types.js';
import { compact } from './types.js';

/** Exporter settings every awss3 destination renders with (not keys of the file). */
const fixed = {
  marshaler: 'body',
  timeout: '30s',
};

export const awss3: DestinationModule<'awss3'> = {
  type: 'awss3',
  summary: 'Amazon S3, canonical events as JSON lines partitioned by time (awss3 exporter)',
  queue: 'persistent',
  retry: 'none',
  plan: (d) => ({
    exporterType: 'awss3',
    config: {
      ...fixed,
      s3uploader: compact({
        region: d.region,
        s3_bucket: d.bucket,
        s3_prefix: d.prefix,
        s3_partition_format: d.partitionFormat,
        // The exporter partitions by upload time in the collector's local time zone
        // unless told; UTC keeps the partitions the same wherever the collector runs.
        s3_partition_timezone: 'UTC',
        file_prefix: 'audit-',
        // `none` is the exporter's own behaviour: leave the key out.
        compression: d.compression === 'gzip' ? 'gzip' : undefined,
        endpoint: d.endpoint,
        s3_force_path_style: d.forcePathStyle,
        role_arn: d.roleArn,
      }),
    },
  }),
};
