// The otlp destination, over HTTP and over gRPC, against the collector's own
// OTLP receiver (a second collector writing what it receives to a file): the
// record arrives unchanged, attributes, body, severity, time and resource.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedLogRecord } from '../../src/event/otlp-json.js';
import { contract } from '../../src/event/contract.js';
import { minimalFileConfig, readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

describe('otlp destination → the collector\'s OTLP receiver', () => {
  let server: RunningCollector;
  let output = '';
  let collector: DeliveringCollector;
  let records: DecodedLogRecord[] = [];

  beforeAll(async () => {
    server = await startCollector((ports, dir) => minimalFileConfig(ports, (output = join(dir, 'received.jsonl'))));
    collector = await startDelivering([
      { name: 'vendor-http', type: 'otlp', protocol: 'http', endpoint: `http://127.0.0.1:${server.ports.otlpHttp}`, headers: { 'x-tenant': 'acme' } },
      { name: 'vendor-grpc', type: 'otlp', protocol: 'grpc', endpoint: `127.0.0.1:${server.ports.otlpGrpc}`, insecure: true },
    ]);
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent('fork-1'));
    });
    records = await eventually(() => {
      const got = readFileExporterOutput(output);
      return got.length >= 2 ? got : undefined;
    }, 30_000, 'the record twice at the OTLP receiver (HTTP and gRPC)', collector);
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await server?.stop();
  });

  it('delivers the record unchanged over both protocols', () => {
    expect(records).toHaveLength(2);
    const [a, b] = records;
    expect(a).toEqual(b);
    const event = forkEvent('fork-1');
    expect(a!.eventName).toBe('repo.fork');
    expect(a!.severityText).toBe(contract().severities.warning.text);
    expect(a!.severityNumber).toBe(contract().severities.warning.number);
    expect(a!.timeUnixNano).toBe(String(Date.parse(event.time) * 1_000_000));
    expect(a!.attributes).toMatchObject({ 'log.record.uid': 'fork-1', 'event.name': 'repo.fork', 'user.id': 'u-1', 'audit.data.forks': 3, 'audit.data.deployKey': contract().sensitive.replacement, [contract().sensitive.emitterMark.attribute]: contract().sensitive.emitterMark.value });
    expect(a!.body).toMatchObject({ id: 'fork-1', name: 'repo.fork', actor: event.actor, data: { forks: 3 } });
    expect(a!.resource['service.name']).toBe('otel-audit-server-test');
  });
});
