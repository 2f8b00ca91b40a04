// The sentinel destination against a recording server that plays both sides
// Azure would: the managed-identity token endpoint (the App Service form,
// IDENTITY_ENDPOINT + IDENTITY_HEADER, which azidentity reads from the
// environment) and the Logs Ingestion API's OTLP endpoint of a data
// collection rule, POST <endpoint>/datacollectionRules/<dcr>/streams/<stream>/otlp/v1/logs
// with the Entra token as a Bearer header and a gzip OTLP protobuf body.
// The service-principal and workload identities get their token from a local
// stand-in for Entra ID (entra.ts), reached through HTTPS_PROXY with a
// throwaway CA as the collector's only root (SSL_CERT_FILE).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogsRequest, type DecodedLogRecord } from '../../src/event/otlp-json.js';
import { decodeLogsRequestProto } from '../../src/event/otlp-proto.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';
import { ENTRA_HOST, startFakeEntra, type FakeEntra } from './entra.js';
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

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SP_CLIENT = '00000000-0000-0000-0000-0000000000a1';
const WI_CLIENT = '00000000-0000-0000-0000-0000000000b2';
const SP_SECRET = 'sp-client-secret-value';
const FEDERATED_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.federated-service-account-token.sig';
const SP_TOKEN = 'eyJ0eXAiOiJKV1QifQ.service-principal.sig';
const WI_TOKEN = 'eyJ0eXAiOiJKV1QifQ.workload-identity.sig';
const DCR_SP = 'dcr-00000000000000000000000000000a01';
const DCR_WI = 'dcr-00000000000000000000000000000b02';
const SP_FORK = '019cd58f-0000-7000-8000-00000005e0a1';

describe('sentinel destination with a service principal and a workload identity, tokens from a local Entra ID', () => {
  let entra: FakeEntra;
  let azure: RecordingServer;
  let collector: DeliveringCollector;

  beforeAll(async () => {
    // Entra answers only the right client with the right credential; anything else gets 401.
    entra = await startFakeEntra((form) => {
      if (form.client_id === SP_CLIENT && form.client_secret === SP_SECRET) return SP_TOKEN;
      if (form.client_id === WI_CLIENT && form.client_assertion === FEDERATED_TOKEN) return WI_TOKEN;
      return undefined;
    });
    azure = await startRecordingServer(() => ({ status: 200, body: '', contentType: 'application/x-protobuf' }));
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'otel-audit-wi-')), 'azure-identity-token');
    writeFileSync(tokenFile, FEDERATED_TOKEN);
    collector = await startDelivering([
      { name: 'sentinel-sp', type: 'sentinel', endpoint: '${env:SENTINEL_DCE}', dcrImmutableId: DCR_SP, stream: STREAM, identity: 'servicePrincipal', tenantId: TENANT, clientId: SP_CLIENT, clientSecret: '${env:SENTINEL_CLIENT_SECRET}' },
      { name: 'sentinel-wi', type: 'sentinel', endpoint: '${env:SENTINEL_DCE}', dcrImmutableId: DCR_WI, stream: STREAM, identity: 'workload', tenantId: TENANT, clientId: WI_CLIENT, federatedTokenFile: tokenFile },
    ], { SENTINEL_DCE: azure.url, SENTINEL_CLIENT_SECRET: SP_SECRET, HTTPS_PROXY: entra.proxyUrl, SSL_CERT_FILE: entra.caFile });
    await emitThrough(collector, (audit) => audit.emit('repo.fork', forkEvent(SP_FORK)));
    await eventually(() => (posts(DCR_SP).length > 0 && posts(DCR_WI).length > 0 ? true : undefined), 45_000, 'a post at each DCR stream', collector);
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await azure?.close();
    await entra?.close();
  });

  const posts = (dcr: string) => azure.requests.filter((r) => r.path === `/datacollectionRules/${dcr}/streams/${STREAM}/otlp/v1/logs`);
  // MSAL adds the OpenID Connect scopes to every request; the resource scope is the one that matters.
  const resourceScopes = (scope = '') => scope.split(' ').filter((s) => !['openid', 'offline_access', 'profile'].includes(s));
  const tokenRequests = (client: string) => entra.requests.filter((r) => r.path === `/${TENANT}/oauth2/v2.0/token` && r.form.client_id === client);

  it('reaches Entra ID at login.microsoftonline.com only, through instance discovery and the tenant\'s openid-configuration', () => {
    expect(new Set(entra.connects)).toEqual(new Set([`${ENTRA_HOST}:443`]));
    const paths = entra.requests.map((r) => r.path.split('?')[0]);
    expect(paths).toContain('/common/discovery/instance');
    expect(paths).toContain(`/${TENANT}/v2.0/.well-known/openid-configuration`);
  });

  it('the service principal asks for a client-credentials token for https://monitor.azure.com with its secret', () => {
    const requests = tokenRequests(SP_CLIENT);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]!.form).toMatchObject({ grant_type: 'client_credentials', client_id: SP_CLIENT, client_secret: SP_SECRET });
    expect(resourceScopes(requests[0]!.form.scope)).toEqual(['https://monitor.azure.com/.default']);
    expect(requests[0]!.form).not.toHaveProperty('client_assertion');
  });

  it('the workload identity asks with the federated token file as its client assertion, and no secret', () => {
    const requests = tokenRequests(WI_CLIENT);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]!.form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: WI_CLIENT,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: FEDERATED_TOKEN,
    });
    expect(resourceScopes(requests[0]!.form.scope)).toEqual(['https://monitor.azure.com/.default']);
    expect(requests[0]!.form).not.toHaveProperty('client_secret');
  });

  it('each destination posts to its DCR stream with its own Bearer token, and the record arrives', () => {
    for (const [dcr, token] of [[DCR_SP, SP_TOKEN], [DCR_WI, WI_TOKEN]] as const) {
      for (const post of posts(dcr)) expect(post.headers.authorization).toBe(`Bearer ${token}`);
      const got = posts(dcr).flatMap((r) => decodeLogsRequest(decodeLogsRequestProto(r.body)));
      expect(got.map((r) => r.attributes['log.record.uid'])).toContain(SP_FORK);
    }
    expect(JSON.stringify(azure.requests.map((r) => r.headers))).not.toContain(SP_SECRET);
  });
});
