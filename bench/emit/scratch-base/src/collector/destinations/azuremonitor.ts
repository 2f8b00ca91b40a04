// Azure Monitor Application Insights: records land in `traces` (AppTraces in a
// workspace), attributes in customDimensions/Properties. For Sentinel tables
// use the `sentinel` type instead.
import type { DestinationModule } from './types.js';

/** Exporter settings every azuremonitor destination renders with (not keys of the file). */
const fixed = {
  maxbatchsize: 1024,
  maxbatchinterval: '10s',
};

export const azureMonitor: DestinationModule<'azuremonitor'> = {
  type: 'azuremonitor',
  summary: 'Azure Monitor Application Insights (azuremonitor exporter)',
  queue: 'persistent',
  retry: 'none',
  plan: (d) => ({
    exporterType: 'azuremonitor',
    config: { ...fixed, connection_string: d.connectionString },
  }),
};
