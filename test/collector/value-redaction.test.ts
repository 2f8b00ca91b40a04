// Secrets inside free text, from a sender that is not the otel-audit emitter
// (no redaction mark): the rendered config's redaction processor masks the
// contract's value patterns (schemas/contract.json sensitive.valuePatterns) in
// the real collector, in the body and in data attributes alike.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollectorConfig } from '../../src/collector/index.js';
import { withDefaults } from '../../src/collector/spec.js';
import { readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { postEvents, waitFor } from './otlp.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
let collector: RunningCollector;
let out = '';

beforeAll(async () => {
  collector = await startCollector((ports, workDir) => {
    out = join(workDir, 'out.jsonl');
    return buildCollectorConfig(withDefaults({
      domain: 'acme.audit',
      collector: { receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp }, healthCheck: { bind: '127.0.0.1', port: ports.health }, queue: { directory: join(workDir, 'queue') }, telemetry: { metricsLevel: 'none' } },
      destinations: [{ name: 'all', type: 'file', path: out, flushInterval: '100ms' }],
    })).config;
  });
}, 120_000);
afterAll(() => collector.stop());

describe('value patterns in the rendered config', () => {
  it('mask a bearer token, a JWT and an AWS access key in free text of a record the emitter did not redact', async () => {
    await postEvents(collector.ports.otlpHttp, [{
      id: 'plain-1',
      name: 'webhook.deliver',
      domain: 'acme.audit',
      data: { note: `retried with Authorization: Bearer ${JWT}`, config: `aws key ${AWS_KEY} in the url` },
    }]);
    const [record] = await waitFor(() => { const records = readFileExporterOutput(out); return records.length > 0 ? records : undefined; }, 20_000, 'the record in the file');
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain(JWT);
    expect(text).not.toContain(AWS_KEY);
    expect(JSON.stringify(record!.body)).toContain('retried with');
    expect(record!.attributes['audit.data.note']).toEqual(expect.stringContaining('****'));
  });
});
