// What every server test does: write a destinations file, load and render it
// as a user would (loadDestinations → renderCollectorConfig), run the real
// collector on the rendered config, and emit through the real emitter
// (createAuditLogger) into its OTLP receiver.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadDestinations, renderCollectorConfig, type Destination } from '../../src/collector/index.js';
import { createAuditLogger, type AuditLogger } from '../../src/index.js';
import { startCollector, type RunningCollector } from '../harness/collector.js';
import { catalog } from './catalog.js';

export interface DeliveringCollector extends RunningCollector {
  /** The destinations file the test wrote. */
  destinationsFile: string;
  /** The config rendered from it, as the collector runs it. */
  rendered: string;
}

/** Renders a destinations file with these destinations and starts the collector on it; `domain` is the file's (the collector keeps only records of it). */
export async function startDelivering(destinations: Destination[], env: Record<string, string> = {}, domain: string = catalog.domain): Promise<DeliveringCollector> {
  let destinationsFile = '';
  let rendered = '';
  const collector = await startCollector((ports, workDir) => {
    destinationsFile = join(workDir, 'audit-collector.yaml');
    writeFileSync(destinationsFile, stringify({
      domain,
      collector: {
        receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp },
        healthCheck: { bind: '127.0.0.1', port: ports.health },
        queue: { directory: join(workDir, 'queue') },
        batch: { timeout: '100ms' },
        retry: { initialInterval: '200ms', maxInterval: '1s' },
        telemetry: { metricsLevel: 'none' },
      },
      destinations,
    }));
    rendered = renderCollectorConfig(loadDestinations(destinationsFile));
    return rendered;
  }, { env });
  return Object.assign(collector, { destinationsFile, rendered });
}

export type TestLogger = AuditLogger<typeof catalog>;

/** Emits with the real emitter into the collector's OTLP/HTTP receiver, then flushes and shuts the logger down. */
export async function emitThrough(collector: RunningCollector, emit: (audit: TestLogger) => void, serviceName = 'otel-audit-server-test'): Promise<void> {
  const audit = createAuditLogger({ catalog, endpoint: `http://127.0.0.1:${collector.ports.otlpHttp}`, protocol: 'http/protobuf', serviceName, batch: { scheduledDelayMillis: 50 } });
  emit(audit);
  await audit.flush();
  await audit.shutdown();
}

/** Polls a probe every 200 ms until it returns a value (a probe that throws has not found it yet). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMillis: number, what: string, collector?: RunningCollector): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    let value: T | undefined;
    try {
      value = await probe();
    } catch {
      value = undefined;
    }
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}${collector ? `; the collector's log:\n${collector.logs().slice(-4000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
