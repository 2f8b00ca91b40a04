// The destination types, one module each.
import type { DestinationType } from '../spec.js';
import { awsCloudWatchLogs } from './awscloudwatchlogs.js';
import { awss3 } from './awss3.js';
import { azureMonitor } from './azuremonitor.js';
import { datadog } from './datadog.js';
import { debug } from './debug.js';
import { elasticsearch } from './elasticsearch.js';
import { file } from './file.js';
import { kafka } from './kafka.js';
import { opensearch } from './opensearch.js';
import { otlp } from './otlp.js';
import { sentinel } from './sentinel.js';
import { splunkHec } from './splunk_hec.js';
import { sumologic } from './sumologic.js';
import type { DestinationModule } from './types.js';

export type { DestinationModule, ExporterPlan } from './types.js';

export const destinationModules: { readonly [T in DestinationType]: DestinationModule<T> } = {
  splunk_hec: splunkHec,
  opensearch,
  elasticsearch,
  awscloudwatchlogs: awsCloudWatchLogs,
  sentinel,
  azuremonitor: azureMonitor,
  sumologic,
  awss3,
  datadog,
  kafka,
  otlp,
  file,
  debug,
};

export function destinationModule(type: string): DestinationModule | undefined {
  return Object.hasOwn(destinationModules, type) ? destinationModules[type as DestinationType] : undefined;
}
