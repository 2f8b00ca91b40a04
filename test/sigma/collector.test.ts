// End to end: audit records sent over OTLP/HTTP through the real collector,
// written by its `file` exporter, and matched by the engine from that output.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRulesPath, SigmaEngine, type PartialCanonicalEvent } from '../../src/sigma/index.js';
import { canonicalToAttributes } from '../../src/sigma/events.js';
import { minimalFileConfig, startCollector, type RunningCollector } from '../harness/collector.js';

type AnyValue = Record<string, unknown>;
function anyValue(value: unknown): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { stringValue: JSON.stringify(value) };
}

function logRecord(event: PartialCanonicalEvent): Record<string, unknown> {
  const attributes = { ...canonicalToAttributes(event, 'acme.audit'), 'log.record.uid': event.id };
  return {
    timeUnixNano: String(BigInt(Date.parse(String(event.time))) * 1_000_000n),
    severityNumber: 9,
    eventName: event.name,
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
  };
}

describe('engine on the collector file exporter output', () => {
  let collector: RunningCollector | undefined;
  afterAll(async () => collector?.stop());

  it('matches detections and a correlation on what the collector wrote', async () => {
    let output = '';
    collector = await startCollector((ports, dir) => minimalFileConfig(ports, (output = join(dir, 'out.jsonl'))));
    const start = Date.UTC(2026, 10, 21, 10);
    const events: PartialCanonicalEvent[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ id: `login-${i}`, name: 'auth.login', outcome: 'failure', time: new Date(start + i * 20_000).toISOString(), actor: { id: 'mallory', ip: '203.0.113.7' } })),
      { id: 'stream-1', name: 'audit.stream.update', time: new Date(start + 300_000).toISOString(), actor: { id: 'mallory' }, data: { stream: 'splunk', changes: { enabled: { from: true, to: false } } } },
      { id: 'export-1', name: 'data.export', time: new Date(start + 310_000).toISOString(), actor: { id: 'bob' }, data: { dataset: 'customers', row_count: 5 } },
    ];
    const body = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sigma-e2e' } }] }, scopeLogs: [{ scope: { name: 'otel-audit' }, logRecords: events.map(logRecord) }] }] };
    const response = await fetch(`http://127.0.0.1:${collector.ports.otlpHttp}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    const deadline = Date.now() + 15_000;
    while (!(existsSync(output) && readFileSync(output, 'utf8').includes('export-1')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const engine = SigmaEngine.fromPaths([defaultRulesPath()]);
    const matches = engine.runText(readFileSync(output, 'utf8'), output).map((m) => ({ title: m.title, events: m.eventIds }));
    expect(matches).toEqual([
      { title: 'Burst Of Failed Logins For One User', events: events.slice(0, 10).map((e) => e.id) },
      { title: 'Audit Log Stream Disabled', events: ['stream-1'] },
    ]);
  });
});
