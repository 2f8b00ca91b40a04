// Through the real OpenTelemetry Collector: events emitted by createAuditLogger
// over OTLP/HTTP (JSON and protobuf) arrive in the collector's file exporter
// output with every contract attribute, eventName, severity and body intact,
// and no sensitive value anywhere in the file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { decodeOtlpJsonLines, type DecodedLogRecord } from '../../src/event/otlp-json.js';
import { createAuditLogger, type OtlpProtocol } from '../../src/emit/logger.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';
import { minimalFileConfig, startCollector, type RunningCollector } from '../harness/collector.js';
import { freePort } from '../harness/ports.js';
import { catalog, fullEvent } from './fixtures/catalog.js';
import { waitFor } from '../harness/wait.js';

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

describe('round trip through the real collector', () => {
  let collector: RunningCollector;
  let output = '';

  beforeAll(async () => {
    collector = await startCollector((ports, dir) => minimalFileConfig(ports, (output = join(dir, 'out.jsonl'))));
  }, 60_000);
  afterAll(async () => collector?.stop());

  // The file exporter may be mid-line; decode complete lines only.
  const records = (): DecodedLogRecord[] => {
    if (!existsSync(output)) return [];
    const text = readFileSync(output, 'utf8');
    return decodeOtlpJsonLines(text.slice(0, text.lastIndexOf('\n') + 1), output);
  };

  for (const protocol of ['http/json', 'http/protobuf'] as OtlpProtocol[]) {
    it(`delivers every contract field over ${protocol}`, async () => {
      const audit = createAuditLogger({ catalog, endpoint: `http://127.0.0.1:${collector.ports.otlpHttp}`, protocol, serviceName: `emit-${protocol}`, batch: { scheduledDelayMillis: 50 } });
      const event = { ...fullEvent(), id: `id-${protocol}` };
      const expected = toLogRecord(event, catalog);
      const loginId = audit.emit('auth.login', { actor: { id: 'u-2' }, data: { method: 'password', password: 'hunter2-secret', nested: { apiToken: 'tok-secret' } } });
      expect(audit.emit('repo.fork', event)).toBe(event.id);
      await audit.flush();
      await audit.shutdown();

      const got = await waitFor(() => {
        const all = records();
        const fork = all.find((r) => r.attributes['log.record.uid'] === event.id);
        const login = all.find((r) => r.attributes['log.record.uid'] === loginId);
        return fork && login ? { fork, login } : undefined;
      });
      const { fork, login } = got;
      for (const row of contract().fields) {
        const value = row.from === 'catalog' ? catalog.domain : at(event, row.field);
        for (const attribute of [row.attribute, ...(row.alsoAttributes ?? [])].filter(Boolean) as string[]) {
          expect(fork.attributes[attribute], `${row.field} → ${attribute}`).toEqual(value);
        }
        if (row.attributePrefix) expect(fork.attributes[`${row.attributePrefix}repo.id`]).toBe('r-9');
      }
      expect(fork.eventName).toBe('repo.fork');
      expect(fork.severityNumber).toBe(contract().severities.critical.number);
      expect(fork.severityText).toBe(contract().severities.critical.text);
      expect(fork.timeUnixNano).toBe(String(Date.parse(event.time) * 1_000_000));
      expect(fork.body).toEqual(JSON.parse(JSON.stringify(expected.body)));
      expect(fork.attributes).toEqual(JSON.parse(JSON.stringify(expected.attributes)));
      expect(fork.resource['service.name']).toBe(`emit-${protocol}`);
      expect(login.attributes['audit.data.password']).toBe(contract().sensitive.replacement);
      expect(login.attributes['audit.data.nested.apiToken']).toBe(contract().sensitive.replacement);
      const text = readFileSync(output, 'utf8');
      for (const secret of ['hunter2-secret', 'tok-secret', 'ssh-ed25519']) expect(text).not.toContain(secret);
    }, 30_000);
  }

  it('emit never blocks or throws when the collector is down', async () => {
    const audit = createAuditLogger({ catalog, endpoint: `http://127.0.0.1:${await freePort()}`, protocol: 'http/json', timeoutMillis: 500, batch: { scheduledDelayMillis: 10, exportTimeoutMillis: 1000 } });
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) audit.emit('auth.login', { data: { method: 'sso' } });
    const perEventUs = Number(process.hrtime.bigint() - started) / 1000 / 1000;
    expect(perEventUs).toBeLessThan(500);
    await audit.shutdown();
  }, 30_000);
});
