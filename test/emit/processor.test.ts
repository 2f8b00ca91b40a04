// AuditLogRecordProcessor first in NodeSDK's logRecordProcessors: records of the
// catalog emitted through the plain logs API are validated, enriched and redacted
// before the exporting processor sees them; other records pass untouched.
import { logs } from '@opentelemetry/api';
import { BatchLogRecordProcessor, InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { AuditLogRecordProcessor, DroppingAuditLogRecordProcessor, INVALID_ATTRIBUTE } from '../../src/emit/processor.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';
import { catalog, fullEvent } from './fixtures/catalog.js';

const { replacement } = contract().sensitive;

/** NodeSDK's resource detectors are async, so SimpleLogRecordProcessor exports a moment later. */
async function firstExported(exporter: InMemoryLogRecordExporter) {
  for (let i = 0; i < 200 && exporter.getFinishedLogRecords().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return exporter.getFinishedLogRecords()[0];
}

describe('AuditLogRecordProcessor in NodeSDK', () => {
  const exporter = new InMemoryLogRecordExporter();
  const auditProcessor = new AuditLogRecordProcessor({ catalog });
  let sdk: NodeSDK;

  beforeAll(() => {
    sdk = new NodeSDK({
      serviceName: 'processor-test',
      logRecordProcessors: [auditProcessor, new SimpleLogRecordProcessor({ exporter })],
      instrumentations: [],
      traceExporter: undefined,
      metricReaders: [],
    });
    sdk.start();
  });
  afterAll(async () => sdk.shutdown());

  it('maps a record emitted through the logs API with eventName and a body', async () => {
    exporter.reset();
    const logger = logs.getLogger('app');
    logger.emit({
      eventName: 'auth.login',
      body: { actor: { id: 'u-7', ip: '198.51.100.2' }, outcome: 'failure', organization: 'acme', data: { method: 'password', password: 'hunter2' } },
      attributes: { 'audit.data.sessionToken': 'tok-123', 'http.route': '/login' },
    });
    const record = await firstExported(exporter);
    expect(record).toBeDefined();
    const a = record!.attributes;
    expect(a['event.domain']).toBe('acme.audit');
    expect(a['event.name']).toBe('auth.login');
    expect(a['log.record.uid']).toMatch(/^[0-9a-f-]{36}$/);
    expect([a['user.id'], a['enduser.id'], a['client.address'], a['audit.outcome'], a['organization.id']]).toEqual(['u-7', 'u-7', '198.51.100.2', 'failure', 'acme']);
    expect(a['audit.data.password']).toBe(replacement);
    expect(a['audit.data.sessionToken']).toBe(replacement); // set by hand, caught by the contract's pattern
    expect(a['http.route']).toBe('/login');
    expect(record!.severityNumber).toBe(contract().severities.info.number);
    expect((record!.body as { id: string }).id).toBe(a['log.record.uid']);
    expect(JSON.stringify(record!.body)).not.toContain('hunter2');
    expect(record!.resource.attributes['service.name']).toBe('processor-test');
  });

  it('leaves records outside the catalog untouched', async () => {
    exporter.reset();
    logs.getLogger('app').emit({ body: 'GET /health 200', attributes: { password: 'not ours to touch' } });
    const record = await firstExported(exporter);
    expect(record!.body).toBe('GET /health 200');
    expect(record!.attributes).toEqual({ password: 'not ours to touch' });
  });

  it('passes a record built with toLogRecord through unchanged (no double work)', async () => {
    exporter.reset();
    const mapped = toLogRecord(fullEvent(), catalog);
    logs.getLogger('app').emit(mapped);
    const record = await firstExported(exporter);
    expect(record!.attributes).toEqual(mapped.attributes);
    expect(record!.eventName).toBe('repo.fork');
  });

  it('marks an invalid record of the domain, counts it and still redacts it', async () => {
    exporter.reset();
    const before = auditProcessor.invalidCount;
    logs.getLogger('app').emit({ attributes: { 'event.domain': 'acme.audit', 'audit.data.apiKey': 'k-1', 'db.password': 'p-1' }, body: { name: 'repo.frok', data: { secret: 's-1' } } });
    const record = await firstExported(exporter);
    expect(auditProcessor.invalidCount).toBe(before + 1);
    expect(record!.attributes[INVALID_ATTRIBUTE]).toMatch(/^name: is not an event of the catalog/);
    expect(record!.attributes['audit.data.apiKey']).toBe(replacement);
    // Any attribute whose last segment is sensitive: the collector trusts the mark and will not look again.
    expect(record!.attributes['db.password']).toBe(replacement);
    expect(record!.attributes[contract().sensitive.emitterMark.attribute]).toBe(contract().sensitive.emitterMark.value);
    expect(JSON.stringify(record!.body)).not.toContain('s-1');
  });
});

describe('AuditLogRecordProcessor policy throw', () => {
  it('throws out of logger.emit and the exporting processor never sees the record', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new AuditLogRecordProcessor({ catalog, onInvalid: 'throw' }), new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('t');
    expect(() => logger.emit({ eventName: 'repo.fork', body: { data: { repo: {} } } })).toThrow(/audit event "repo\.fork": data\.repo\.id is required/);
    expect(exporter.getFinishedLogRecords()).toHaveLength(0);
    await provider.shutdown();
  });
});

describe('DroppingAuditLogRecordProcessor', () => {
  it('drops invalid records of the catalog, passes valid and foreign ones on, and flushes what it owns', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const errors: string[] = [];
    const audit = new DroppingAuditLogRecordProcessor({ catalog, onInvalidRecord: (e) => errors.push(e.message), processors: [new BatchLogRecordProcessor({ exporter })] });
    const provider = new LoggerProvider({ processors: [audit] });
    const logger = provider.getLogger('app');
    logger.emit({ eventName: 'repo.fork', body: { data: { repo: {} } } }); // invalid: data.repo.id is required
    logger.emit({ eventName: 'repo.fork', body: { actor: { id: 'u-1' }, data: { repo: { id: 'r-1' } } } });
    logger.emit({ body: 'GET /health 200' });
    await provider.forceFlush(); // reaches the batch processor only through the audit processor
    const exported = exporter.getFinishedLogRecords();
    expect(exported.map((r) => r.eventName ?? r.body)).toEqual(['repo.fork', 'GET /health 200']);
    expect(exported[0]!.attributes[contract().sensitive.emitterMark.attribute]).toBe(contract().sensitive.emitterMark.value);
    expect(audit.invalidCount).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/data\.repo\.id is required/)]);
    await provider.shutdown();
  });

  it("AuditLogRecordProcessor refuses onInvalid 'drop', naming the processor that drops", () => {
    expect(() => new AuditLogRecordProcessor({ catalog, onInvalid: 'drop' as 'mark' })).toThrow(/DroppingAuditLogRecordProcessor/);
  });
});
