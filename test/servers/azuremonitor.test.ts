// The azuremonitor destination (Application Insights) against a recording
// server speaking the Application Insights track API: the connection string's
// IngestionEndpoint is the endpoint override, the exporter posts telemetry
// envelopes to <IngestionEndpoint>/v2.1/track (gzip, newline-delimited JSON),
// authenticated by the instrumentation key inside each envelope (no header).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';
import { startRecordingServer, type RecordingServer } from './recording.js';

const FORK_ID = '019cd58f-0000-7000-8000-0000000a2001';
const IKEY = '00000000-1111-2222-3333-444444444444';

describe('azuremonitor destination', () => {
  let intake: RecordingServer;
  let collector: DeliveringCollector;
  let envelopes: Envelope[] = [];

  beforeAll(async () => {
    intake = await startRecordingServer((req) => {
      const n = req.body.toString('utf8').split('\n').filter(Boolean).length;
      return { status: 200, body: JSON.stringify({ itemsReceived: n, itemsAccepted: n, errors: [] }) };
    });
    collector = await startDelivering([
      { name: 'appinsights', type: 'azuremonitor', connectionString: '${env:APPLICATIONINSIGHTS_CONNECTION_STRING}' },
    ], { APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=${intake.url}/` });
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-ai', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    envelopes = await eventually(() => {
      const got = intake.requests.flatMap((r) => r.body.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Envelope));
      return got.length >= 2 ? got : undefined;
    }, 45_000, 'two envelopes at the track endpoint', collector);
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await intake?.close();
  });

  it('posts gzip newline-delimited envelopes to /v2.1/track, keyed by the instrumentation key', () => {
    expect(intake.requests.length).toBeGreaterThan(0);
    for (const post of intake.requests) {
      expect(post.method).toBe('POST');
      expect(post.path).toBe('/v2.1/track');
      expect(post.headers['content-encoding']).toBe('gzip');
      expect(post.headers['content-type']).toBe('application/x-json-stream');
    }
    for (const envelope of envelopes) expect(envelope.iKey).toBe(IKEY);
  });

  it('each record is a MessageData trace: the canonical event as message, attributes as string properties', () => {
    const fork = envelopes.find((e) => e.data.baseData.properties['log.record.uid'] === FORK_ID)!;
    expect(fork).toMatchObject({ name: 'Microsoft.ApplicationInsights.Message', time: '2026-03-10T09:15:00.123Z', tags: { 'ai.cloud.role': 'otel-audit-server-test' } });
    expect(fork.data.baseType).toBe('MessageData');
    // warning → Application Insights severity level 2 (Warning)
    expect(fork.data.baseData.severityLevel).toBe(2);
    expect(fork.data.baseData.properties).toMatchObject({
      'event.name': 'repo.fork',
      'event.domain': 'acme.audit',
      'user.id': 'u-1',
      'organization.id': 'acme',
      'audit.outcome': 'success',
      'audit.data.forks': '3',
      'audit.data.deployKey': '[REDACTED]',
      'service.name': 'otel-audit-server-test',
    });
    expect(JSON.parse(fork.data.baseData.message)).toMatchObject({ id: FORK_ID, name: 'repo.fork', data: { forks: 3 } });
    expect(JSON.stringify(envelopes)).not.toMatch(/hunter2|ssh-ed25519/);
  });
});

interface Envelope {
  name: string;
  time: string;
  iKey: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: { ver: number; message: string; severityLevel: number; properties: Record<string, string> } };
}
