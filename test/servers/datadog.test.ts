// The datadog destination against a recording server speaking Datadog's logs
// intake v2 (POST /api/v2/logs, DD-API-KEY header, gzip JSON array): `endpoint`
// points the exporter's logs agent at it instead of http-intake.logs.<site>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';
import { startRecordingServer, type RecordingServer } from './recording.js';

const FORK_ID = '019cd58f-0000-7000-8000-0000000dd001';
const API_KEY = '0123456789abcdef0123456789abcdef';

describe('datadog destination', () => {
  let intake: RecordingServer;
  let collector: DeliveringCollector;
  let logs: DatadogLog[] = [];

  beforeAll(async () => {
    intake = await startRecordingServer(() => ({ status: 202, body: '{}' }));
    collector = await startDelivering([
      { name: 'dd', type: 'datadog', apiKey: '${env:DD_API_KEY}', site: 'datadoghq.eu', hostname: 'audit-gw-1', endpoint: '${env:DD_LOGS_URL}' },
    ], { DD_API_KEY: API_KEY, DD_LOGS_URL: intake.url });
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-dd', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    logs = await eventually(() => {
      const got = batches().flatMap((r) => JSON.parse(r.body.toString('utf8')) as DatadogLog[]);
      return got.length >= 2 ? got : undefined;
    }, 45_000, 'two logs at the Datadog intake', collector);
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await intake?.close();
  });

  /** The log batches: the logs agent first posts an uncompressed connectivity probe (`{}`, DD-Message-Timestamp 0). */
  const batches = () => intake.requests.filter((r) => r.path === '/api/v2/logs' && r.headers['content-encoding'] === 'gzip');

  it('posts gzip JSON arrays to /api/v2/logs with the DD-API-KEY header', () => {
    expect(intake.requests.length).toBeGreaterThan(0);
    for (const post of intake.requests) {
      expect(post.method).toBe('POST');
      expect(post.path).toBe('/api/v2/logs');
      expect(post.headers['dd-api-key']).toBe(API_KEY);
      expect(post.headers['content-type']).toBe('application/json');
      expect(post.headers['dd-protocol']).toBe('agent-json');
    }
    for (const post of batches()) expect(Array.isArray(JSON.parse(post.body.toString('utf8')))).toBe(true);
  });

  it('each log carries the record as a JSON message: attributes at its top, the canonical event as its `message`', () => {
    const fork = logs.find((l) => l.message.includes(FORK_ID))!;
    expect(fork).toMatchObject({ status: 'WARN', service: 'otel-audit-server-test', ddsource: 'otlp_log_ingestion' });
    const message = JSON.parse(fork.message) as Record<string, unknown>;
    expect(message).toMatchObject({
      'log.record.uid': FORK_ID,
      'event.name': 'repo.fork',
      'event.domain': 'acme.audit',
      'user.id': 'u-1',
      'organization.id': 'acme',
      'audit.outcome': 'success',
      'audit.data.forks': 3,
      'audit.data.deployKey': '[REDACTED]',
      '@timestamp': '2026-03-10T09:15:00.123Z',
      'otel.severity_text': 'WARN',
    });
    expect(JSON.parse(message.message as string)).toMatchObject({ id: FORK_ID, name: 'repo.fork', data: { forks: 3 } });
    expect(logs.map((l) => l.message).join('\n')).not.toMatch(/hunter2|ssh-ed25519/);
  });
});

interface DatadogLog {
  message: string;
  status: string;
  timestamp: number;
  hostname: string;
  service: string;
  ddsource: string;
  ddtags: string;
}
