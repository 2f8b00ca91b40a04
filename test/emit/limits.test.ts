// Size limits at emit: every canonical string field has a longest length and
// the whole record a largest estimated size, so one oversized event is refused
// alone instead of making the collector refuse the whole request it is in.
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { OtelAuditError } from '../../src/errors.js';
import { AuditValidationError } from '../../src/event/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';
import { DEFAULT_FIELD_LENGTHS, DEFAULT_MAX_FIELD_LENGTH, DEFAULT_MAX_RECORD_BYTES, LIMITED_FIELDS } from '../../src/emit/limits.js';
import { createAuditLogger } from '../../src/emit/logger.js';
import { AuditLogRecordProcessor, INVALID_ATTRIBUTE } from '../../src/emit/processor.js';
import { DEFAULT_LIMITS, toLogRecord } from '../../src/emit/to-log-record.js';
import { catalog, fullEvent } from './fixtures/catalog.js';
import { validationError as refusal } from './fixtures/validation-error.js';


/** `event` with the canonical field at dotted `path` set to `value`. */
function withField(path: string, value: string): Record<string, unknown> {
  const event = { ...fullEvent(), actor: { ...fullEvent().actor }, target: { ...fullEvent().target } } as Record<string, unknown>;
  const [head, key] = path.split('.') as [string, string | undefined];
  if (key === undefined) event[head] = value;
  else (event[head] as Record<string, unknown>)[key] = value;
  return event;
}

const limitOf = (field: string) => (DEFAULT_FIELD_LENGTHS as Record<string, number | undefined>)[field] ?? DEFAULT_MAX_FIELD_LENGTH;

describe('field limits', () => {
  it('refuses an 8 MB actor.id, naming the field, its length and the limit', () => {
    const e = refusal(() => toLogRecord(withField('actor.id', 'x'.repeat(8 * 1024 * 1024)) as never, catalog));
    expect(e.code).toBe('AUDIT_EVENT_INVALID');
    expect(e.path).toBe('actor.id');
    expect(e.message).toBe('audit event "repo.fork": actor.id is 8388608 characters long, over the limit of 4096 (limits.maxFieldLength)');
  });

  it.each(LIMITED_FIELDS.map((field) => [field, limitOf(field)] as const))('%s: %i characters pass, one more is refused', (field, limit) => {
    expect(() => toLogRecord(withField(field, 'a'.repeat(limit)) as never, catalog)).not.toThrow();
    const e = refusal(() => toLogRecord(withField(field, 'a'.repeat(limit + 1)) as never, catalog));
    expect(e.path).toBe(field);
    expect(e.reason).toMatch(new RegExp(`^is ${limit + 1} characters long, over the limit of ${limit} \\(limits\\.maxFieldLength`));
  });

  it('limits every string field of the event schema but name and time (which have their own rules)', () => {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'event.schema.json'), 'utf8')) as { properties: Record<string, { type?: string; properties?: Record<string, { type?: string }> }> };
    const strings = Object.entries(schema.properties).flatMap(([key, value]) =>
      value.type === 'string' ? [key] : Object.entries(value.properties ?? {}).filter(([, v]) => v.type === 'string').map(([sub]) => `${key}.${sub}`));
    expect(strings.filter((f) => f !== 'name' && f !== 'time').sort()).toEqual([...LIMITED_FIELDS].sort());
  });

  it('defaults: 4096 for identifiers and names, 1024 for actor.ip and actor.userAgent, 128 for id (the event schema)', () => {
    expect(DEFAULT_LIMITS.maxFieldLength).toBe(4096);
    expect(DEFAULT_LIMITS.maxFieldLengths).toEqual({ id: 128, 'actor.ip': 1024, 'actor.userAgent': 1024 });
    expect(DEFAULT_LIMITS.maxRecordBytes).toBe(262_144);
  });

  it('refuses an oversized name before looking it up, without quoting all of it', () => {
    const e = refusal(() => toLogRecord({ name: 'n'.repeat(5000) }, catalog));
    expect(e.path).toBe('name');
    expect(e.message.length).toBeLessThan(500);
    expect(e.message).toMatch(/is 5000 characters long, over the limit of 4096/);
  });

  it('is configurable: maxFieldLength and per-field maxFieldLengths', () => {
    expect(refusal(() => toLogRecord(withField('team', 'a'.repeat(11)) as never, catalog, { maxFieldLength: 10 })).message).toMatch(/team is 11 characters long, over the limit of 10 \(limits\.maxFieldLength\)/);
    const options = { maxFieldLengths: { 'actor.email': 8 } };
    expect(refusal(() => toLogRecord(withField('actor.email', 'a@b.c.de.f') as never, catalog, options)).message).toMatch(/actor\.email is 10 characters long, over the limit of 8 \(limits\.maxFieldLengths\["actor\.email"\]\)/);
    // The other defaults stay when one field is set.
    expect(refusal(() => toLogRecord(withField('actor.userAgent', 'u'.repeat(1025)) as never, catalog, { maxFieldLengths: { team: 100 } })).path).toBe('actor.userAgent');
    expect(() => toLogRecord(withField('actor.userAgent', 'u'.repeat(2000)) as never, catalog, { maxFieldLengths: { 'actor.userAgent': 2048 } })).not.toThrow();
  });

  it('a bad limit is an OPTION_INVALID when the logger is created', () => {
    const bad = (limits: object) => {
      try {
        createAuditLogger({ catalog, exporter: new InMemoryLogRecordExporter(), limits });
      } catch (error) {
        return error as OtelAuditError;
      }
      throw new Error('expected an OtelAuditError');
    };
    expect(bad({ maxFieldLength: 0 }).code).toBe('OPTION_INVALID');
    expect(bad({ maxFieldLengths: { 'actor.nmae': 10 } }).message).toMatch(/"actor\.nmae" is not a limited field/);
    expect(bad({ maxFieldLengths: { team: 1.5 } }).message).toMatch(/limits\.maxFieldLengths\["team"\] must be a positive integer/);
  });
});

describe('record limit', () => {
  it('refuses a record whose parts together are too large, though each is within its limit', () => {
    const big = 'a'.repeat(4000);
    // 2000 data leaves with 20-character keys: 56 KB of data (under maxDataBytes), 112 KB in body and attributes, 62 KB of attribute keys.
    const data = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key-${String(i).padStart(16, '0')}`, i]));
    const event = { ...fullEvent(), name: 'settings.update' as 'repo.fork', actor: { ...fullEvent().actor, id: big, name: big, email: big, type: big }, target: { type: big, id: big, name: big }, organization: big, team: big, cloudAccount: big, subscription: big, transactionId: big, source: big, data: data as never };
    const e = refusal(() => toLogRecord(event, catalog));
    expect(e.path).toBe('');
    expect(e.message).toMatch(/^audit event "settings\.update": the event is an estimated \d+ bytes as a record \(attributes and body\), over the limit of 262144 \(limits\.maxRecordBytes\)$/);
    expect(() => toLogRecord(event, catalog, { maxRecordBytes: 1_000_000 })).not.toThrow();
  });

  it('counts data twice (body and attributes) and the attribute keys it creates', () => {
    // 40 KiB of data is within maxDataBytes but 80 KiB as a record.
    expect(() => toLogRecord({ name: 'settings.update', data: { blob: 'x'.repeat(40_000) } }, catalog, { maxRecordBytes: 70_000 })).toThrow(/over the limit of 70000 \(limits\.maxRecordBytes\)/);
    // A long key repeated in every attribute name below it: small as data, large as a record.
    const long = 'k'.repeat(20_000);
    const data = { [long]: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c${i}`, i])) };
    expect(() => toLogRecord({ name: 'settings.update', data }, catalog)).toThrow(/limits\.maxRecordBytes/);
  });

  it('a valid event with every field and data at their default limits does not reach the collector’s 20 MiB request limit alone', () => {
    expect(DEFAULT_MAX_RECORD_BYTES * 80).toBeLessThanOrEqual(20 * 1024 * 1024);
  });

  it('one oversized event is dropped alone: the good events around it are exported', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const dropped: AuditValidationError[] = [];
    const audit = createAuditLogger({ catalog, exporter, onInvalid: 'drop', onInvalidEvent: (e) => dropped.push(e), batch: { scheduledDelayMillis: 10 } });
    for (let i = 0; i < 5; i++) audit.emit('auth.login', { actor: { id: `u-${i}` } });
    expect(audit.emit('auth.login', { actor: { id: 'x'.repeat(8 * 1024 * 1024) } })).toBeUndefined();
    for (let i = 5; i < 10; i++) audit.emit('auth.login', { actor: { id: `u-${i}` } });
    await audit.flush();
    expect(exporter.getFinishedLogRecords().map((r) => r.attributes['user.id'])).toEqual(Array.from({ length: 10 }, (_, i) => `u-${i}`));
    expect(dropped.map((e) => e.path)).toEqual(['actor.id']);
    await audit.shutdown();
  });

  it('the processor marks an oversized record and cuts its body to the record limit', () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new AuditLogRecordProcessor({ catalog }), new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger('app').emit({ eventName: 'auth.login', body: { actor: { id: 'x'.repeat(8 * 1024 * 1024) }, data: { note: 'y'.repeat(300_000) } } });
    const [record] = exporter.getFinishedLogRecords();
    expect(record!.attributes[INVALID_ATTRIBUTE]).toBe('actor.id: is 8388608 characters long, over the limit of 4096 (limits.maxFieldLength)');
    expect(JSON.stringify(record!.body).length).toBeLessThan(DEFAULT_MAX_RECORD_BYTES + 1024);
    expect(JSON.stringify(record!.body)).toContain('[Truncated]');
  });

  it('the processor cuts a marked body to its own limits.maxRecordBytes', () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new AuditLogRecordProcessor({ catalog, limits: { maxRecordBytes: 10_000 } }), new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger('app').emit({ eventName: 'repo.frok', attributes: { 'event.domain': 'acme.audit' }, body: { data: { a: 'y'.repeat(8_000), b: 'z'.repeat(8_000), c: ['w'.repeat(100)] } } });
    const [record] = exporter.getFinishedLogRecords();
    expect(record!.attributes[INVALID_ATTRIBUTE]).toMatch(/^name: /);
    const body = JSON.stringify(record!.body);
    expect(body.length).toBeLessThan(10_200);
    expect(body).toContain('y'.repeat(7_000));
    expect(body).toContain('[Truncated]');
  });
});
