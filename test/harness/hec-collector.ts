// A Splunk HTTP Event Collector played by the collector's own splunk_hec
// receiver (the same cached binary, a second process): what the splunk_hec
// destination sends is parsed by an implementation we did not write, and the
// receiver's file exporter writes each HEC event as an OTLP log record:
//   event → body, fields → attributes, time → timestamp,
//   index / sourcetype / source / host → resource com.splunk.index,
//   com.splunk.sourcetype, com.splunk.source, host.name,
//   the `Authorization: Splunk <token>` header → resource com.splunk.hec.access_token.
import { join } from 'node:path';
import type { DecodedLogRecord } from '../../src/event/otlp-json.js';
import { readFileExporterOutput, startCollector, type RunningCollector } from './collector.js';
import { freePort } from './ports.js';

export interface HecCollector {
  /** The HEC endpoint, http://127.0.0.1:<port>/services/collector */
  readonly url: string;
  readonly collector: RunningCollector;
  /** Every HEC event received so far, as the receiver turned it into a log record. */
  records(): DecodedLogRecord[];
  stop(): Promise<void>;
}

export async function startHecCollector(): Promise<HecCollector> {
  const hecPort = await freePort();
  let output = '';
  const collector = await startCollector((ports, workDir) => {
    output = join(workDir, 'hec-events.jsonl');
    return {
      receivers: { splunk_hec: { endpoint: `127.0.0.1:${hecPort}`, access_token_passthrough: true } },
      exporters: { file: { path: output, flush_interval: '100ms' } },
      extensions: { health_check: { endpoint: `127.0.0.1:${ports.health}` } },
      service: {
        extensions: ['health_check'],
        telemetry: { metrics: { level: 'none' } },
        pipelines: { logs: { receivers: ['splunk_hec'], exporters: ['file'] } },
      },
    };
  });
  return {
    url: `http://127.0.0.1:${hecPort}/services/collector`,
    collector,
    records: () => readFileExporterOutput(output),
    stop: () => collector.stop(),
  };
}
