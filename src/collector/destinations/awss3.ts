// Amazon S3 (or a compatible store): the `body` marshaler writes each record's
// body, i.e. the canonical audit event, as one JSON line; objects are
// partitioned by time (year=/month=/day=/hour=) for Athena and lake tools.
import type { DestinationModule } from './types.js';
import { compact, str } from './types.js';

const defaults = {
  marshaler: 'body',
  timeout: '30s',
};

export const awss3: DestinationModule = {
  type: 'awss3',
  summary: 'Amazon S3, canonical events as JSON lines partitioned by time (awss3 exporter)',
  queue: 'persistent',
  retry: 'none',
  plan: (d) => ({
    exporterType: 'awss3',
    config: {
      ...defaults,
      s3uploader: compact({
        region: str(d, 'region'),
        s3_bucket: str(d, 'bucket'),
        s3_prefix: str(d, 'prefix'),
        s3_partition_format: str(d, 'partitionFormat'),
        file_prefix: 'audit-',
        compression: d.compression === 'gzip' ? 'gzip' : undefined,
        endpoint: str(d, 'endpoint'),
        s3_force_path_style: typeof d.forcePathStyle === 'boolean' ? d.forcePathStyle : undefined,
        role_arn: str(d, 'roleArn'),
      }),
    },
  }),
};
