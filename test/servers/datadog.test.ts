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
  let logs: Record<string, unknown>[] = [];

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
      const got = intake.requests.filter((r) => r.path.startsWith('/api/v2/logs')).flatMap((r) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>[]);
      return got.length >= 2 ? got : undefined;
    }, 45_000, 'two logs at the Datadog intake', collector);
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await intake?.close();
  });

  it('posts gzip JSON arrays to /api/v2/logs with the DD-API-KEY header', () => {
    const posts = intake.requests.filter((r) => r.path.startsWith('/api/v2/logs'));
    console.log(JSON.stringify(posts.map((p) => ({ path: p.path, headers: p.headers })), null, 1));
    console.log(JSON.stringify(logs, null, 1));
    for (const post of posts) {
      expect(post.method).toBe('POST');
      expect(post.headers['dd-api-key']).toBe(API_KEY);
      expect(post.headers['content-encoding']).toBe('gzip');
      expect(post.headers['content-type']).toBe('application/json');
      expect(Array.isArray(JSON.parse(post.body.toString('utf8')))).toBe(true);
    }
  });
});
