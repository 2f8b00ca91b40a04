// What a careless or malicious caller can pass besides plain JSON: values that
// change between reads (getters, proxies), reads that throw, toJSON tricks,
// huge sparse arrays, forged attributes and bodies on the logs-API path. Each
// must end in a clear AuditValidationError or a record whose body, attributes
// and redaction agree: never a crash, a hang or a leaked secret.
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { AuditValidationError } from '../../src/event/errors.js';
import { createAuditLogger } from '../../src/emit/logger.js';
import { AuditLogRecordProcessor, INVALID_ATTRIBUTE } from '../../src/emit/processor.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';
import { catalog } from './fixtures/catalog.js';
import { validationError } from './fixtures/validation-error.js';

const R = contract().sensitive.replacement;
const token = ['ghp', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('_');

/** A property that reads `first` once, then `later` on every read after. */
function changing<T extends object>(target: T, key: string, first: unknown, later: unknown): T {
  let reads = 0;
  Object.defineProperty(target, key, { enumerable: true, get: () => (reads++ === 0 ? first : later) });
  return target;
}


describe('values that change between reads', () => {
  it('a getter on a canonical field cannot slip a secret past redaction', () => {
    const event = changing({ name: 'auth.login' }, 'source', 'api', `token ${token}`);
    const record = toLogRecord(event, catalog);
    expect(JSON.stringify(record)).not.toContain(token);
    expect(record.body.source).toBe(record.attributes['event.source']);
  });

  it('a proxy actor cannot slip a secret past redaction', () => {
    let reads = 0;
    const actor = new Proxy({ id: 'u-1' }, { get: (target, key) => (key === 'id' && reads++ > 0 ? `Bearer ${token}` : (Reflect.get(target, key) as unknown)) });
    const record = toLogRecord({ name: 'auth.login', actor }, catalog);
    expect(JSON.stringify(record)).not.toContain(token);
    expect(record.body.actor?.id).toBe(record.attributes['user.id']);
  });

  it('a getter cannot pass validation with one value and export another', () => {
    const outcome = changing({ name: 'auth.login' }, 'outcome', 'success', 'bogus');
    expect(toLogRecord(outcome as never, catalog).attributes['audit.outcome']).toBe('success');
    const long = changing({ name: 'auth.login' }, 'source', 'api', 'x'.repeat(100_000));
    expect(toLogRecord(long as never, catalog).body.source).toBe('api');
  });

  it('a getter inside data is read once: what is redacted is what is exported, in the body and the attributes alike', () => {
    const data = changing({}, 'method', 'sso', `token ${token}`);
    const record = toLogRecord({ name: 'auth.login', data }, catalog);
    expect(JSON.stringify(record)).not.toContain(token);
    expect((record.body.data as Record<string, unknown>).method).toBe(record.attributes['audit.data.method']);
  });
});

describe('reads that throw', () => {
  it('a throwing getter or proxy trap is an AuditValidationError naming the field, also under onInvalid drop', () => {
    const getter = Object.defineProperty({ name: 'auth.login' }, 'source', { enumerable: true, get: () => { throw new Error('boom'); } });
    const e = validationError(() => toLogRecord(getter, catalog));
    expect(e.message).toBe('audit event "auth.login": source could not be read (boom)');
    const data = { nested: Object.defineProperty({}, 'deep', { enumerable: true, get: () => { throw new Error('no'); } }) };
    expect(validationError(() => toLogRecord({ name: 'settings.update', data }, catalog)).path).toBe('data.nested.deep');
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: { p: trap } }, catalog)).message).toMatch(/data\.p could not be read \(trap\)/);

    const invalid: AuditValidationError[] = [];
    const audit = createAuditLogger({ catalog, exporter: new InMemoryLogRecordExporter(), onInvalid: 'drop', onInvalidEvent: (error) => invalid.push(error) });
    expect(audit.emit('auth.login', getter as never)).toBeUndefined();
    expect(audit.invalidCount).toBe(1);
    expect(invalid[0]!.path).toBe('source');
  });

  it('finding which read threw stays bounded when getters build new objects on every read (an ORM model)', () => {
    // Each read of any of its 50 members builds a new such object: 50^32 reads to walk it all.
    const model = (): object => new Proxy({}, { ownKeys: () => Array.from({ length: 50 }, (_, i) => `m${i}`), getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }), get: () => model() });
    const event = Object.defineProperty({ name: 'settings.update', data: { model: model() } }, 'source', { enumerable: true, get: () => { throw new Error('boom'); } });
    const started = Date.now();
    const e = validationError(() => toLogRecord(event, catalog));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(e.message).toMatch(/could not be read \(boom\)/);
  });

  it('a toJSON that never yields plain data is refused, not a stack overflow', () => {
    const again = (): unknown => ({ toJSON: again });
    const loop = { toJSON: again };
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: { loop } }, catalog)).message).toMatch(/data\.loop has a toJSON\(\) that returns another value with toJSON/);
    // one level, as JSON.stringify calls it, still works
    expect(toLogRecord({ name: 'settings.update', data: { once: { toJSON: () => ({ a: 1 }) } } }, catalog).attributes['audit.data.once.a']).toBe(1);
  });
});

describe('objects that are not plain data', () => {
  it('an event that is a class instance keeps the fields its getters give', () => {
    class Login {
      source = 'api';
      get actor() {
        return { id: 'u-9' };
      }
    }
    const record = toLogRecord(Object.assign(new Login(), { name: 'auth.login' as const }), catalog);
    expect([record.body.actor?.id, record.attributes['user.id'], record.body.source]).toEqual(['u-9', 'u-9', 'api']);
  });

  it('a toJSON another library put on Object.prototype does not replace the nested objects of data', () => {
    Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'polluted', configurable: true, writable: true });
    try {
      const record = toLogRecord({ name: 'settings.update', data: { a: { b: 1 }, own: { toJSON: () => 'mine' } } }, catalog);
      expect(record.attributes['audit.data.a.b']).toBe(1);
      expect(record.attributes['audit.data.own']).toBe('mine');
    } finally {
      delete (Object.prototype as { toJSON?: unknown }).toJSON;
    }
  });
});

describe('size', () => {
  it('a huge sparse array is refused at once, not walked hole by hole', () => {
    const started = performance.now();
    const e = validationError(() => toLogRecord({ name: 'settings.update', data: { list: new Array(50_000_000) } }, catalog));
    expect(e.message).toMatch(/data is larger than 65536 bytes/);
    expect(performance.now() - started).toBeLessThan(1000);
    // every item counts: 70 000 empty strings are no free ride either
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: { list: new Array<string>(70_000).fill('') } }, catalog)).reason).toMatch(/larger than/);
  });
});

describe('keys', () => {
  it('an empty key nests under its own name: {"": {a: 1}} does not flatten like {a: 1}', () => {
    const record = toLogRecord({ name: 'settings.update', data: { '': { a: 1 } } }, catalog);
    expect(record.attributes['audit.data.a']).toBeUndefined();
    expect(record.attributes['audit.data..a']).toBe(1);
    expect(validationError(() => toLogRecord({ name: 'settings.update', data: { '': { a: 1 }, '.a': 2 } }, catalog)).reason).toMatch(/collides/);
  });
});

describe('time', () => {
  it('a Date whose methods are overridden or that is not a real Date', () => {
    class Skewed extends Date {
      override getTime() {
        return 0;
      }
      override toISOString() {
        return 'evil';
      }
    }
    const at = '2026-11-01T00:00:00.000Z';
    expect(toLogRecord({ name: 'auth.login', time: new Skewed(at) }, catalog, { now: () => Date.parse(at) }).body.time).toBe(at);
    expect(validationError(() => toLogRecord({ name: 'auth.login', time: new Proxy(new Date(), {}) }, catalog)).path).toBe('time');
    expect(validationError(() => toLogRecord({ name: 'auth.login', time: Object.create(Date.prototype) as Date }, catalog)).path).toBe('time');
    expect(validationError(() => toLogRecord({ name: 'auth.login', time: 1_700_000_000_000 } as never, catalog)).path).toBe('time');
  });
});

describe('the logs-API path (AuditLogRecordProcessor)', () => {
  async function emitted(record: Parameters<ReturnType<LoggerProvider['getLogger']>['emit']>[0]) {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new AuditLogRecordProcessor({ catalog }), new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger('app').emit(record);
    await provider.forceFlush();
    const [out] = exporter.getFinishedLogRecords();
    return { body: out!.body as Record<string, unknown>, attributes: out!.attributes };
  }

  it('attributes the emitter owns cannot be forged by the caller', async () => {
    const { body, attributes } = await emitted({
      eventName: 'auth.login',
      body: { data: { method: 'sso' } },
      attributes: { 'event.domain': 'evil', 'audit.invalid': 'forged', 'audit.integrity.stream': 's', 'audit.integrity.seq': 5, 'user.id': 'admin', 'audit.outcome': 'success', 'audit.data.role': 'admin', 'audit.data.method': 'forged', 'http.route': '/login' },
    });
    expect(body.actor).toBeUndefined();
    expect(attributes).toMatchObject({ 'event.domain': 'acme.audit', 'audit.data.method': 'sso', 'http.route': '/login' });
    for (const forged of ['audit.invalid', 'audit.integrity.stream', 'audit.integrity.seq', 'user.id', 'audit.outcome']) expect(attributes).not.toHaveProperty([forged]);
  });

  it("the catalog's sensitive data paths are redacted on marked invalid records and in data attributes set by hand", async () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyMaterialThatMustNotLeave';
    const invalid = await emitted({ eventName: 'repo.fork', body: { data: { repo: {}, deployKey: key } }, attributes: { 'audit.data.deployKey': key } });
    expect(invalid.attributes[INVALID_ATTRIBUTE]).toBe('data.repo.id: is required');
    expect(JSON.stringify(invalid)).not.toContain('KeyMaterial');
    expect((invalid.body.data as Record<string, unknown>).deployKey).toBe(R);
    const valid = await emitted({ eventName: 'repo.fork', body: { data: { repo: { id: 'r-1' } } }, attributes: { 'audit.data.deployKey': key } });
    expect(valid.attributes[INVALID_ATTRIBUTE]).toBeUndefined();
    expect(valid.attributes['audit.data.deployKey']).toBe(R);
  });

  it('a body that is not a map, or names another event, is marked invalid, not silently replaced', async () => {
    expect((await emitted({ eventName: 'auth.login', body: 'user ada logged in' })).attributes[INVALID_ATTRIBUTE]).toBe('body: must be a map (the canonical event)');
    expect((await emitted({ eventName: 'auth.login', body: { name: 'repo.fork' } })).attributes[INVALID_ATTRIBUTE]).toBe('name: is "repo.fork" in the body but the record\'s eventName is "auth.login"');
  });

  it('a body whose getter throws is marked invalid, not thrown out of logger.emit', async () => {
    const { body, attributes } = await emitted({ eventName: 'auth.login', body: Object.defineProperty({}, 'source', { enumerable: true, get: () => { throw new Error('boom'); } }) });
    expect(attributes[INVALID_ATTRIBUTE]).toBe('source: could not be read (boom)');
    expect(JSON.stringify(body)).not.toContain('boom');
  });

  it('a mapped body cannot be changed after toLogRecord, and a copy of one is mapped again, not passed as is', async () => {
    const mapped = toLogRecord({ name: 'repo.fork', data: { repo: { id: 'r-1' } } }, catalog);
    expect(() => ((mapped.body.data as Record<string, unknown>).deployKey = 'changed')).toThrow(TypeError);
    expect(() => ((mapped.attributes)['user.id'] = 'admin')).toThrow(TypeError);
    const copy = Object.setPrototypeOf({ ...mapped.body, data: { repo: { id: 'r-1' }, deployKey: `key ${token}` } }, Object.getPrototypeOf(mapped.body) as object) as typeof mapped.body;
    const { body, attributes } = await emitted({ ...mapped, body: copy });
    expect(JSON.stringify({ body, attributes })).not.toContain(token);
    expect((body.data as Record<string, unknown>).deployKey).toBe(R);
    expect(attributes['audit.data.deployKey']).toBe(R);
  });
});
