// A local file of OTLP/JSON lines (one ExportLogsServiceRequest per line):
// an archive, or what tests read back. The file exporter has no sending queue.
import type { DestinationModule } from './types.js';
import { compact, str } from './types.js';

const defaults = {
  format: 'json',
  // Keep earlier records across restarts. The exporter refuses `append` with
  // rotation; its rotating writer appends to the current file by itself.
  append: true,
};

export const file: DestinationModule = {
  type: 'file',
  summary: 'A local file of OTLP/JSON lines (file exporter)',
  queue: 'none',
  retry: 'none',
  plan: (d) => {
    const rotation = d.maxMegabytes !== undefined || d.maxBackups !== undefined
      ? compact({ max_megabytes: d.maxMegabytes, max_backups: d.maxBackups })
      : undefined;
    return {
      exporterType: 'file',
      config: compact({ ...defaults, append: rotation ? undefined : defaults.append, path: str(d, 'path'), flush_interval: str(d, 'flushInterval'), rotation }),
    };
  },
};
