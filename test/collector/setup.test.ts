// `otel-audit collector setup` without a real server: what it plans for every
// destination type, the request it sends (to a recording server), how it
// fails, and that the docs' template, the rendered exporter and the Sigma
// pipeline agree. test/servers/opensearch.test.ts applies it to a real OpenSearch.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCollectorConfig, loadDestinations, openSearchIndexTemplate, parseDestinations, setupDestinations } from '../../src/collector/index.js';
import type { ResolvedDestination } from '../../src/collector/index.js';
import { OtelAuditError } from '../../src/errors.js';
import { packageRoot } from '../../src/package-root.js';

const root = packageRoot();

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('collector setup', () => {
  const seen: Seen[] = [];
  let server: Server;
  let url = '';
  let answer = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        // HEAD <index>: not there yet.
        if (req.method === 'HEAD') res.writeHead(404).end();
        else res.writeHead(answer, { 'content-type': 'application/json' }).end(answer === 200 ? '{"acknowledged":true}' : '{"error":"no"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const spec = (endpoint: string, extra = '') => parseDestinations([
    'domain: acme.audit',
    'destinations:',
    '  - name: search',
    '    type: opensearch',
    `    endpoint: ${endpoint}`,
    '    index: audit-%{organization.id}',
    '    username: ${env:OS_USER}',
    '    password: ${env:OS_PASSWORD}',
    '    replicas: 0',
    extra,
  ].join('\n'));

  it('PUTs the index template with basic auth from the environment', async () => {
    seen.length = 0;
    answer = 200;
    const report = await setupDestinations(spec(url), { env: { OS_USER: 'admin', OS_PASSWORD: 's3cret' } });
    expect(report.steps).toEqual([expect.objectContaining({ destination: 'search', outcome: 'applied', status: 200 })]);
    const put = seen.find((s) => s.method === 'PUT')!;
    expect(put.path).toBe('/_index_template/otel-audit-audit');
    expect(put.headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
    const body = JSON.parse(put.body) as { index_patterns: string[]; template: { settings: { index: { number_of_replicas: number } } } };
    expect(body.index_patterns).toEqual(['audit-*']);
    expect(body.template.settings.index.number_of_replicas).toBe(0);
    // A placeholder index has no single index to look for.
    expect(seen.filter((s) => s.method === 'HEAD')).toEqual([]);
  });

  it('fails with SETUP_FAILED and the answer when the server refuses', async () => {
    answer = 403;
    const attempt = setupDestinations(spec(url), { env: { OS_USER: 'a', OS_PASSWORD: 'b' } });
    await expect(attempt).rejects.toBeInstanceOf(OtelAuditError);
    await expect(attempt).rejects.toMatchObject({ code: 'SETUP_FAILED' });
    await expect(attempt).rejects.toThrow(/refused \(403\): \{"error":"no"\}/);
    answer = 200;
  });

  it('fails with SETUP_FAILED naming an unset variable, and sends nothing', async () => {
    seen.length = 0;
    const attempt = setupDestinations(spec(url), { env: { OS_USER: 'a' } });
    await expect(attempt).rejects.toMatchObject({ code: 'SETUP_FAILED' });
    await expect(attempt).rejects.toThrow(/OS_PASSWORD is not set/);
    expect(seen).toEqual([]);
  });

  it('with dryRun sends nothing and needs no variables', async () => {
    seen.length = 0;
    const report = await setupDestinations(spec('${env:OS_URL}'), { dryRun: true, env: {} });
    expect(report.steps[0]).toMatchObject({ outcome: 'planned', request: { method: 'PUT', url: '${env:OS_URL}/_index_template/otel-audit-audit' } });
    expect(seen).toEqual([]);
  });

  it('has a step for every enabled destination of the reference file, and steps by hand for the types it cannot apply', async () => {
    const reference = loadDestinations(join(root, 'collector', 'examples', 'reference.yaml'));
    const report = await setupDestinations(reference, { dryRun: true, env: {} });
    expect(report.steps.map((s) => s.destination)).toEqual(reference.destinations.filter((d) => d.enabled !== false).map((d) => d.name));
    for (const step of report.steps) {
      if (step.type === 'opensearch') expect(step.outcome).toBe('planned');
      else expect(step.outcome).toBe('manual');
    }
  });

  it('prints the CloudWatch retention command and the Sentinel rule with the file\'s values', async () => {
    const report = await setupDestinations(parseDestinations([
      'domain: acme.audit',
      'destinations:',
      '  - { name: cw, type: awscloudwatchlogs, region: eu-west-1, logGroup: /acme/audit, logStream: c1, retentionDays: 365 }',
      '  - { name: soc, type: sentinel, endpoint: "https://dce.ingest.monitor.azure.com", dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, identity: managed }',
    ].join('\n')), { dryRun: true });
    expect(report.steps[0]!.manual!.join('\n')).toContain('aws logs put-retention-policy --region eu-west-1 --log-group-name /acme/audit --retention-in-days 365');
    expect(report.steps[1]!.manual!.join('\n')).toMatch(/stream opentelemetry_logs.*Custom-OtelAudit_CL.*dcr-0123456789abcdef0123456789abcdef/s);
  });
});

describe('the OpenSearch layout agrees everywhere', () => {
  const example = loadDestinations(join(root, 'collector', 'examples', 'opensearch.yaml'));

  it('docs/destinations/opensearch.md shows the template setup makes', () => {
    const doc = readFileSync(join(root, 'docs', 'destinations', 'opensearch.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### The index template'));
    const json = /```json\n([\s\S]*?)```/.exec(section)![1]!;
    expect(JSON.parse(json)).toEqual(openSearchIndexTemplate(example.destinations[0] as Extract<ResolvedDestination, { type: 'opensearch' }>).body);
  });

  it('the exporter writes attributes as top-level fields and the Sigma pipeline adds no prefix', () => {
    const exporter = buildCollectorConfig(example).config.exporters['opensearch/search'] as { mapping: { mode: string } };
    expect(exporter.mapping.mode).toBe('flatten_attributes');
    const pipeline = parse(readFileSync(join(root, 'sigma', 'pipelines', 'opensearch.yml'), 'utf8')) as { transformations: { type: string }[] };
    expect(pipeline.transformations.map((t) => t.type)).not.toContain('field_name_prefix');
  });
});
