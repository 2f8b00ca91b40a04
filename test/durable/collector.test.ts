// The spool in front of the real OTLP/HTTP exporter and the real collector: the
// collector is down at first (long enough for the exporter to give up on its
// own), then starts; every record arrives with all its fields intact.
import { join } from 'node:path';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecodedLogRecord } from '../../src/event/otlp-json.js';
import { createDurableLogRecordProcessor, listDeliveries } from '../../src/delivery/index.js';
import { collectorBinary, minimalFileConfig, readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { freePort } from '../harness/ports.js';
import { tempDir, waitFor } from './helpers.js';

describe('durable spool into the real collector', () => {
  let collector: RunningCollector | undefined;
  afterAll(async () => collector?.stop());

  it('delivers every record intact through OTLPLogExporter after the collector comes up late', async () => {
    collectorBinary(); // fails with how to build it when missing
    const ports = { otlpGrpc: await freePort(), otlpHttp: await freePort(), health: await freePort() };
    const dir = tempDir();
    const processor = createDurableLogRecordProcessor({
      // The exporter's own retry budget is its timeout: it gives up after 2 s, the spool does not.
      exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${ports.otlpHttp}/v1/logs`, timeoutMillis: 2000 }),
      directory: dir,
      retry: { initialMillis: 200, maxMillis: 1000 },
      batchSize: 64,
    });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'billing', 'deployment.environment.name': 'test' }), processors: [processor] });
    const logger = provider.getLogger('otel-audit-durable-test', '2.0.0');
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    const time = new Date('2026-11-21T10:00:00.123Z');
    const count = 200;
    for (let i = 0; i < count; i++) {
      logger.emit({
        eventName: 'repo.fork',
        timestamp: new Date(time.getTime() + i),
        severityNumber: 13,
        severityText: 'WARN',
        body: { id: `c-${i}`, name: 'repo.fork', actor: { id: 'u-1', type: 'user' }, data: { tags: ['a', 'b'], n: i, ok: true, ratio: 0.5 } },
        attributes: { 'log.record.uid': `c-${i}`, 'event.domain': 'acme.audit', 'audit.data.tags': ['a', 'b'], 'audit.data.n': i, 'audit.data.ok': true },
        context: trace.setSpanContext(context.active() ?? ROOT_CONTEXT, spanContext),
      });
    }
    await processor.whenDurable();

    // Wait until the OTLP exporter gave up at least twice on its own.
    await waitFor(() => listDeliveries(dir, { failed: true }).length >= 2, 20_000, 'failed exports in the delivery log');
    expect(processor.stats().queuedRecords).toBe(count);

    let output = '';
    collector = await startCollector((p, work) => minimalFileConfig(p, (output = join(work, 'out.jsonl'))), { ports });
    expect(await processor.flush(30_000)).toBe(true);
    let records: DecodedLogRecord[] = [];
    await waitFor(() => {
      records = readFileExporterOutput(output);
      return records.length >= count;
    }, 20_000, 'the collector file exporter output');
    await provider.shutdown();

    expect(records).toHaveLength(count);
    records.forEach((record, i) => {
      expect(record).toMatchObject({
        timeUnixNano: String(BigInt(time.getTime() + i) * 1_000_000n),
        severityNumber: 13,
        severityText: 'WARN',
        eventName: 'repo.fork',
        body: { id: `c-${i}`, name: 'repo.fork', actor: { id: 'u-1', type: 'user' }, data: { tags: ['a', 'b'], n: i, ok: true, ratio: 0.5 } },
        attributes: { 'log.record.uid': `c-${i}`, 'event.domain': 'acme.audit', 'audit.data.tags': ['a', 'b'], 'audit.data.n': i, 'audit.data.ok': true },
        resource: { 'service.name': 'billing', 'deployment.environment.name': 'test' },
        scope: { name: 'otel-audit-durable-test', version: '2.0.0' },
        traceId: spanContext.traceId,
        spanId: spanContext.spanId,
      });
      expect(Number(record.observedTimeUnixNano)).toBeGreaterThan(0);
    });
    const failures = listDeliveries(dir, { failed: true });
    console.log(`collector: ${records.length} records intact after ${failures.length} failed exports while the collector was down`);
  }, 90_000);
});
