// The collector's own log (debug exporter): for trying a config out, never for
// an audit trail.
import type { DestinationModule } from './types.js';

export const debug: DestinationModule<'debug'> = {
  type: 'debug',
  summary: "The collector's log, for trying a config out (debug exporter)",
  queue: 'none',
  retry: 'none',
  plan: (d) => ({ exporterType: 'debug', config: { verbosity: d.verbosity } }),
};
