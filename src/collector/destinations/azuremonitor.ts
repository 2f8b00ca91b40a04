// Azure Monitor Application Insights: records land in `traces` (AppTraces in a
// workspace), attributes in customDimensions/Properties. For Sentinel tables
// use the `sentinel` type instead.
import type { DestinationModule } from './types.js';
import { str } from './types.js';

const defaults = {
  maxbatchsize: 1024,
  maxbatchinterval: '10s',
};

export const azureMonitor: DestinationModule = {
  type: 'azuremonitor',
  summary: 'Azure Monitor Application Insights (azuremonitor exporter)',
  queue: 'persistent',
  retry: 'none',
  plan: (d) => ({
    exporterType: 'azuremonitor',
    config: { ...defaults, connection_string: str(d, 'connectionString') },
  }),
};
