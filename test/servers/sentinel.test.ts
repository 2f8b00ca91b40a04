// The sentinel destination against a recording server that plays both sides
// Azure would: the managed-identity token endpoint (the App Service form,
// IDENTITY_ENDPOINT + IDENTITY_HEADER, which azidentity reads from the
// environment) and the Logs Ingestion API's OTLP endpoint of a data
// collection rule, POST <endpoint>/datacollectionRules/<dcr>/streams/<stream>/otlp/v1/logs
// with the Entra token as a Bearer header and a gzip OTLP protobuf body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogsRequest, type DecodedLogRecord } from '../../src/event/otlp-json.js';
import { decodeLogsRequestProto } from '../../src/event/otlp-proto.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';
import { startRecordingServer, type RecordingServer } from './recording.js';

const FORK_ID = '019cd58f-0000-7000-8000-00000005e001';
const DCR = 'dcr-0123456789abcdef0123456789abcdef';
const STREAM = 'Custom-AuditEvents_CL';
const TOKEN = 'eyJ0eXAiOiJKV1QifQ.test-token.sig';
const IDENTITY_HEADER = 'identity-header-secret';

describe('sentinel destination', () => {
  let azure: RecordingServer;
  let collector: DeliveringCollector;
  let records: DecodedLogRecord[] = [];

  beforeAll(async () => {
    azure = await startRecordingServer((req) => {
      if (req.path.startsWith('/msi/token')) {
        const expires = Math.floor(Date.now() / 1000) + 3600;
        return { status: 200, body: JSON.stringify({ access_token: TOKEN, expires_on: String(expires), resource: 'https://monitor.azure.com', token_type: 'Bearer' }) };
      }
      // Logs Ingestion answers 204 No Content; OTLP clients want an (empty) ExportLogsServiceResponse.
      return { status: 200, body: '', contentType: 'application/x-protobuf' };
    });
    collector = await startDelivering([
      { name: 'sentinel', type: 'sentinel', endpoint: '${env:SENTINEL_DCE}', dcrImmutableId: DCR, stream: STREAM, identity: 'managed' },
    ], { SENTINEL_DCE: azure.url, IDENTITY_ENDPOINT: `${azure.url}/msi/token`, IDENTITY_HEADER });
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-se', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    records = await eventually(() => {
      const got = ingest().flatMap((r) => decodeLogsRequest(decodeLogsRequestProto(r.body)));
      return got.length >= 2 ? got : undefined;
    }, 45_000, 'two records at the DCR stream', collector);
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await azure?.close();
  });

  const ingest = () => azure.requests.filter((r) => !r.path.startsWith('/msi/token'));

  it('gets its token from the managed-identity endpoint for https://monitor.azure.com', () => {
    const token = azure.requests.filter((r) => r.path.startsWith('/msi/token'));
    expect(token.length).toBeGreaterThan(0);
    expect(token[0]!.headers['x-identity-header']).toBe(IDENTITY_HEADER);
    expect(decodeURIComponent(token[0]!.path)).toContain('https://monitor.azure.com');
  });

  it('posts gzip OTLP protobuf to the DCR stream with the Bearer token', () => {
    expect(ingest().length).toBeGreaterThan(0);
    for (const post of ingest()) {
      expect(post.method).toBe('POST');
      expect(post.path).toBe(`/datacollectionRules/${DCR}/streams/${STREAM}/otlp/v1/logs`);
      expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(post.headers['content-encoding']).toBe('gzip');
      expect(post.headers['content-type']).toBe('application/x-protobuf');
    }
  });

  it('the records arrive as the emitter sent them', () => {
    const fork = records.find((r) => r.attributes['log.record.uid'] === FORK_ID)!;
    expect(fork.eventName).toBe('repo.fork');
    expect(fork.attributes).toMatchObject({ 'event.name': 'repo.fork', 'user.id': 'u-1', 'organization.id': 'acme', 'audit.data.forks': 3, 'audit.data.deployKey': '[REDACTED]' });
    expect(fork.body).toMatchObject({ id: FORK_ID, name: 'repo.fork' });
    expect(fork.resource['service.name']).toBe('otel-audit-server-test');
    expect(JSON.stringify(records)).not.toMatch(/hunter2|ssh-ed25519/);
  });
});
