// Bad input gives a clear AuditValidationError naming the event, the field path
// and the reason, or the documented behaviour (drop and count, mark and pass).
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { AuditValidationError } from '../../src/event/errors.js';
import { createAuditLogger } from '../../src/emit/logger.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';
import { catalog } from './fixtures/catalog.js';
import { validationError } from './fixtures/validation-error.js';


describe('bad input', () => {
  it('an unknown event name', () => {
    const e = validationError(() => toLogRecord({ name: 'repo.frok' }, catalog));
    expect([e.eventName, e.path]).toEqual(['repo.frok', 'name']);
    expect(e.message).toBe('audit event "repo.frok": name is not an event of the catalog <defineCatalog> (domain acme.audit)');
  });

  it('data failing its schema: missing, wrong type, unknown key, not in enum', () => {
    expect(validationError(() => toLogRecord({ name: 'repo.fork', data: {} }, catalog)).message).toBe('audit event "repo.fork": data.repo is required');
    expect(validationError(() => toLogRecord({ name: 'repo.fork', data: { repo: { id: 7 } } }, catalog)).path).toBe('data.repo.id');
    expect(validationError(() => toLogRecord({ name: 'repo.fork', data: { repo: { id: 'r' }, extra: 1 } }, catalog)).message).toMatch(/data\.extra is not allowed/);
    expect(validationError(() => toLogRecord({ name: 'repo.fork', data: { repo: { id: 'r', visibility: 'secret' } } }, catalog)).message).toMatch(/data\.repo\.visibility must be one of "public", "private"/);
  });

  it('bad canonical fields: unknown field, bad outcome, bad time', () => {
    expect(validationError(() => toLogRecord({ name: 'auth.login', organisation: 'acme' } as never, catalog)).path).toBe('organisation');
    expect(validationError(() => toLogRecord({ name: 'auth.login', outcome: 'ok' } as never, catalog)).path).toBe('outcome');
    expect(validationError(() => toLogRecord({ name: 'auth.login', time: 'yesterday' }, catalog)).path).toBe('time');
    expect(validationError(() => toLogRecord({ name: 'auth.login', actor: { id: 1 } } as never, catalog)).path).toBe('actor.id');
  });

  it('circular data', () => {
    const data: Record<string, unknown> = { a: { b: {} } };
    (data.a as { b: Record<string, unknown> }).b.loop = data;
    const e = validationError(() => toLogRecord({ name: 'settings.update', data }, catalog));
    expect(e.path).toBe('data.a.b.loop');
    expect(e.reason).toBe('is a circular reference');
    const list: unknown[] = [];
    list.push(list);
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: { list } }, catalog)).reason).toBe('is a circular reference');
  });

  it('a repeated (non-circular) object is fine', () => {
    const shared = { id: 1 };
    expect(toLogRecord({ name: 'settings.update', data: { a: shared, b: shared } }, catalog).attributes['audit.data.b.id']).toBe(1);
  });

  it('oversized data: too large, too deep, too many keys', () => {
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: { blob: 'x'.repeat(70_000) } }, catalog)).message).toMatch(/data is larger than 65536 bytes \(limits\.maxDataBytes\)/);
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: deep }, catalog)).reason).toMatch(/nests deeper than 32 levels/);
    // Too many keys is not an error: the SDK limit is respected and the rest is kept in one counted attribute.
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const r = toLogRecord({ name: 'settings.update', data: wide }, catalog);
    // Data keys the schema declares but the event leaves unset are present as undefined, which the SDK neither stores nor counts.
    expect(Object.values(r.attributes).filter((v) => v !== undefined).length).toBeLessThanOrEqual(128);
    const overflow = JSON.parse(r.attributes['audit.data._overflow'] as string) as Record<string, number>;
    expect(Object.keys(overflow).length + Object.keys(r.attributes).filter((k) => /^audit\.data\.k\d+$/.test(k)).length).toBe(300);
    expect(r.attributes['audit.data._overflow_count']).toBe(Object.keys(overflow).length);
    expect(Object.keys(r.body.data!)).toHaveLength(300);
  });

  it('non-JSON values: functions, symbols, Maps', () => {
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: { f: () => 1 } }, catalog)).message).toMatch(/data\.f is a function/);
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: { m: new Map() } }, catalog)).reason).toMatch(/is a Map/);
  });
});

describe('createAuditLogger invalid policy', () => {
  it('throws by default, naming event, path and reason; nothing is exported', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const audit = createAuditLogger({ catalog, exporter });
    expect(() => audit.emit('repo.fork', { data: { repo: { id: 5 } } } as never)).toThrow(/audit event "repo\.fork": data\.repo\.id must be string/);
    await audit.flush();
    expect(exporter.getFinishedLogRecords()).toHaveLength(0);
    await audit.shutdown();
  });

  it('drop: counts, reports and returns undefined instead of throwing', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const seen: AuditValidationError[] = [];
    const audit = createAuditLogger({ catalog, exporter, onInvalid: 'drop', onInvalidEvent: (e) => seen.push(e) });
    expect(audit.emit('nope' as 'auth.login', {})).toBeUndefined();
    expect(typeof audit.emit('auth.login', { data: { method: 'sso' } })).toBe('string');
    await audit.flush();
    expect(audit.invalidCount).toBe(1);
    expect(seen.map((e) => e.path)).toEqual(['name']);
    expect(exporter.getFinishedLogRecords().map((r) => r.eventName)).toEqual(['auth.login']);
    await audit.shutdown();
  });

  it('keeps the SDK attribute limit: nothing is dropped by the SDK', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const audit = createAuditLogger({ catalog, exporter });
    audit.emit('settings.update', { actor: { id: 'u' }, data: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])) });
    await audit.flush();
    const [record] = exporter.getFinishedLogRecords();
    expect(record!.droppedAttributesCount).toBe(0);
    expect(record!.attributes['user.id']).toBe('u');
    expect(record!.attributes[`audit.data._overflow_count`]).toBeGreaterThan(0);
    expect(contract().sensitive.replacement).toBe('[REDACTED]');
    await audit.shutdown();
  });
});
