// A local file of OTLP/JSON lines (one ExportLogsServiceRequest per line):
// an archive, or what tests read back. The file exporter has no sending queue.
import type { DestinationModule } from './types.js';
import { compact } from './types.js';

/** Exporter settings every file destination renders with (not keys of the file). */
const fixed = {
  format: 'json',
  // Keep earlier records across restarts. The exporter refuses `append` with
  // rotation; its rotating writer appends to the current file by itself.
  append: true,
};

export const file: DestinationModule<'file'> = {
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
      config: compact({ ...fixed, append: rotation ? undefined : fixed.append, path: d.path, flush_interval: d.flushInterval, rotation }),
    };
  },
};
