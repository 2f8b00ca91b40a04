// createAuditLogger writes the attributes mapEvent built straight into the
// SDK's record (src/emit/attribute-handoff.ts) instead of through the SDK's
// setAttributes. What is exported must be exactly what the SDK path exports.
import { generateKeyPairSync } from 'node:crypto';
import type { AnyValue } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { AttributeHandoff } from '../../src/emit/attribute-handoff.js';
import { INTEGRITY_ATTRIBUTES } from '../../src/emit/integrity.js';
import { createAuditLogger } from '../../src/emit/logger.js';
import { toLogRecord, type AuditLogRecord } from '../../src/emit/to-log-record.js';
import { defineCatalog } from '../../src/event/catalog.js';
import { catalog, fullEvent } from './fixtures/catalog.js';

const sdkPath = async (records: AuditLogRecord[]): Promise<ReadableLogRecord[]> => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  for (const record of records) provider.getLogger('sdk').emit(record);
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
};

const pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('attribute handoff', () => {
  it('exports the same attributes as the SDK’s setAttributes would, with no undefined keys and nothing dropped', async () => {
    const events = [fullEvent(), { ...fullEvent(), data: { repo: { id: 'r-1' } } }, { name: 'auth.login' as const, id: 'login-1', actor: { id: 'u-2' }, data: { method: 'sso', password: 'hunter2' } }];
    const exporter = new InMemoryLogRecordExporter();
    const audit = createAuditLogger({ catalog, exporter, batch: { scheduledDelayMillis: 10 } });
    for (const { name, ...event } of events) audit.emit(name, event);
    await audit.flush();
    const ours = exporter.getFinishedLogRecords();
    const expected = await sdkPath(events.map((event) => toLogRecord(event as never, catalog)));
    expect(ours).toHaveLength(3);
    ours.forEach((record, i) => {
      expect(record.attributes).toEqual(expected[i]!.attributes);
      expect(Object.values(record.attributes)).not.toContain(undefined);
      expect(record.droppedAttributesCount).toBe(0);
    });
    expect(ours[2]!.attributes['audit.data.password']).toBe('[REDACTED]');
    await audit.shutdown();
  });

  it('with integrity on, data that fills the attribute limit still leaves room for the stamp’s attributes', async () => {
    const wide = defineCatalog({ domain: 'acme.audit', version: '1', events: { 'bulk.update': { description: 'Many fields.', data: { type: 'object' } } } });
    const data = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]));
    const exporter = new InMemoryLogRecordExporter();
    const audit = createAuditLogger({ catalog: wide, exporter, limits: { attributeCountLimit: 40 }, integrity: { key: pem() }, batch: { scheduledDelayMillis: 10 } });
    audit.emit('bulk.update', { data });
    await audit.flush();
    const [record] = exporter.getFinishedLogRecords().filter((r) => r.eventName === 'bulk.update');
    expect(record!.droppedAttributesCount).toBe(0);
    expect(Object.keys(record!.attributes).length).toBeLessThanOrEqual(40);
    expect(record!.attributes[INTEGRITY_ATTRIBUTES.stream]).toBe(audit.integrity!.stream);
    expect(record!.attributes[INTEGRITY_ATTRIBUTES.seq]).toBe(1);
    // What did not fit is kept, as JSON, in the overflow attribute and whole in the body.
    expect(record!.attributes['audit.data._overflow']).toEqual(expect.any(String));
    expect((record!.body as { data: Record<string, unknown> }).data).toEqual(data);
    await audit.shutdown();
  });

  it('over the count limit the SDK decides what to keep (and counts what it drops)', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const handoff = new AttributeHandoff(3);
    const provider = new LoggerProvider({ logRecordLimits: { attributeCountLimit: 3 }, processors: [handoff, new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('t');
    const record = (attributes: Record<string, AnyValue>) => ({ eventName: 'e', timestamp: [1_700_000_000, 0] as [number, number], severityNumber: 9, severityText: 'INFO', body: { n: 1 } as never, attributes });
    handoff.emit(logger, record({ a: 1, b: 2, c: undefined, d: 4 }));
    handoff.emit(logger, record({ a: 1, b: 2, c: 3, d: 4, e: 5 }));
    await provider.forceFlush();
    const [fits, over] = exporter.getFinishedLogRecords();
    expect(fits!.attributes).toEqual({ a: 1, b: 2, d: 4 });
    expect(Object.keys(fits!.attributes)).not.toContain('c');
    expect(fits!.droppedAttributesCount).toBe(0);
    expect(over!.attributes).toEqual({ a: 1, b: 2, c: 3 });
    expect(over!.droppedAttributesCount).toBe(2);
  });

  it('hands attributes only to the record it was given: a later plain logger.emit, or one after a refused emit, gets none of them', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const handoff = new AttributeHandoff(128);
    const provider = new LoggerProvider({ processors: [handoff, new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('t');
    const body = { n: 1 } as never;
    handoff.emit(logger, { eventName: 'first', timestamp: [1_700_000_000, 0], severityNumber: 9, severityText: 'INFO', body, attributes: { secretish: 'x' } });
    logger.emit({ eventName: 'second', body, attributes: { own: 'y' } });
    await provider.forceFlush();
    expect(exporter.getFinishedLogRecords().map((r) => [r.eventName, r.attributes])).toEqual([
      ['first', { secretish: 'x' }],
      ['second', { own: 'y' }],
    ]);
    // A shut-down provider never calls the processors: nothing may wait for the next record.
    const other = new LoggerProvider({ processors: [handoff, new SimpleLogRecordProcessor({ exporter: new InMemoryLogRecordExporter() })] });
    await other.shutdown();
    handoff.emit(other.getLogger('t'), { eventName: 'refused', timestamp: [1_700_000_000, 0], severityNumber: 9, severityText: 'INFO', body, attributes: { stale: 'z' } });
    logger.emit({ eventName: 'third', body });
    await provider.forceFlush();
    expect(exporter.getFinishedLogRecords().at(-1)!.attributes).toEqual({});
  });
});

describe('attribute handoff under a polluted prototype', () => {
  it('copies own attributes only, as the SDK does', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const handoff = new AttributeHandoff(128);
    const provider = new LoggerProvider({ processors: [handoff, new SimpleLogRecordProcessor({ exporter })] });
    const polluted = Object.prototype as Record<string, unknown>;
    polluted['audit.injected'] = 'forged';
    try {
      handoff.emit(provider.getLogger('t'), { eventName: 'e', timestamp: [1_700_000_000, 0], severityNumber: 9, severityText: 'INFO', body: { n: 1 } as never, attributes: { own: 'x' } });
    } finally {
      delete polluted['audit.injected'];
    }
    await provider.forceFlush();
    expect(Object.keys(exporter.getFinishedLogRecords()[0]!.attributes)).toEqual(['own']);
  });
});
