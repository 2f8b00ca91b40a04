// `otel-audit sigma convert` with the real sigma-cli 3.1: each query under
// its rule's title and id, sigma-cli output formats passed through (and an
// unknown one refused with the backend's list), and --destinations naming the
// index the rendered collector config writes to in SPL, PPL and ES|QL (every
// destination of the target's type, or the one --destination names).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { convertRules, defaultRulesPath } from '../../src/sigma/index.js';
import { OtelAuditError } from '../../src/errors.js';
import { sigmaCli as cli } from './sigma-cli.js';

afterEach(() => {
  process.exitCode = 0;
});

const rule = (file: string) => join(defaultRulesPath(), file);
const deleted = rule('otel_audit_stream_deleted.yml');
const mass = rule('mr_otel_audit_mass_deletion.yml');
const example = (name: string) => resolve('collector/examples', name);

describe('sigma convert', () => {
  it('prints each query under its rule title and id', async () => {
    const result = await cli('convert', '-t', 'splunk', deleted, mass);
    expect(result.out).toMatch(/^# Audit Log Stream Deleted \(759fc038-e9cb-48ca-810d-6eeaae6f0f27\) .*otel_audit_stream_deleted\.yml\nevent\.name="audit\.stream\.delete"/m);
    expect(result.out).toMatch(/^# Mass Deletion By One User \(cee9b687-3af4-4f23-b94e-2311887a04e6\) .*mr_otel_audit_mass_deletion\.yml\nevent\.name IN/m);
  }, 60_000);

  it('passes sigma-cli output formats through, and refuses one the backend lacks, listing its formats', async () => {
    const saved = await cli('convert', '-t', 'splunk', '-f', 'savedsearches', deleted);
    expect(saved.out).toMatch(/^\[Audit Log Stream Deleted\]$/m);
    expect(saved.out).toMatch(/^search = event\.name="audit\.stream\.delete"/m);
    const ndjson = await cli('convert', '-t', 'elasticsearch', '-f', 'kibana_ndjson', deleted);
    expect(JSON.parse(ndjson.out.split('\n')[0]!)).toMatchObject({ id: '759fc038-e9cb-48ca-810d-6eeaae6f0f27', type: 'search' });
    const error = await convertRules({ target: 'splunk', paths: [deleted], format: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtelAuditError);
    expect((error as OtelAuditError).code).toBe('OPTION_INVALID');
    expect((error as Error).message).toMatch(/no output format "nope"; its formats \(sigma-cli\): default, savedsearches, data_model/);
  }, 60_000);

  it('--destinations names the index of the destination the rendered config writes to', async () => {
    const splunk = await cli('convert', '-t', 'splunk', '--destinations', example('splunk_hec.yaml'), deleted, mass);
    expect(splunk.out).toMatch(/^index="audit" event\.name="audit\.stream\.delete"/m);
    expect(splunk.out).toMatch(/^index="audit" event\.name IN/m);
    const es = await cli('convert', '-t', 'elasticsearch', '--destinations', example('elasticsearch.yaml'), mass);
    expect(es.out).toMatch(/^from logs-audit\.acme-default metadata/m);
    const os = await cli('convert', '-t', 'opensearch', '--destinations', example('opensearch.yaml'), mass);
    expect(os.out).toMatch(/source=audit-acme \| where/);
    const dir = mkdtempSync(join(tmpdir(), 'convert-dest-'));
    writeFileSync(join(dir, 'd.yaml'), 'domain: acme.audit\ndestinations:\n  - name: dbg\n    type: debug\n');
    const none = await convertRules({ target: 'splunk', paths: [deleted], destinations: join(dir, 'd.yaml') }).catch((e: unknown) => e);
    expect((none as Error).message).toMatch(/has no splunk_hec destination for the splunk target/);
  }, 60_000);

  it('--destinations with several destinations of one type names all their indexes; --destination picks one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convert-dests-'));
    const file = join(dir, 'audit-collector.yaml');
    writeFileSync(file, [
      'domain: acme.audit',
      'destinations:',
      '  - { name: splunk-a, type: splunk_hec, endpoint: "https://a.example:8088/services/collector", token: "${env:TOKEN_A}", index: audit_a }',
      '  - { name: splunk-b, type: splunk_hec, endpoint: "https://b.example:8088/services/collector", token: "${env:TOKEN_B}", index: audit_b }',
      '  - { name: splunk-old, type: splunk_hec, enabled: false, endpoint: "https://old.example:8088/services/collector", token: "${env:TOKEN_OLD}", index: audit_old }',
      '  - { name: search-a, type: opensearch, endpoint: "https://a.example:9200", index: audit-a }',
      '  - { name: search-b, type: opensearch, endpoint: "https://b.example:9200", index: audit-b }',
      '  - { name: elastic-a, type: elasticsearch, endpoint: "https://a.example:9200", index: logs-audit.a-default }',
      '  - { name: elastic-b, type: elasticsearch, endpoint: "https://b.example:9200", index: logs-audit.b-default }',
      '',
    ].join('\n'));
    // Every enabled destination: the query finds the events wherever the config sends them (not the disabled one).
    const splunk = await cli('convert', '-t', 'splunk', '--destinations', file, deleted);
    expect(splunk.out).toMatch(/^index IN \("audit_a", "audit_b"\) event\.name="audit\.stream\.delete" \|/m);
    const ppl = await cli('convert', '-t', 'opensearch', '--destinations', file, mass);
    expect(ppl.out).toMatch(/source=audit-a,audit-b \| where/);
    const esql = await cli('convert', '-t', 'elasticsearch', '--destinations', file, mass);
    expect(esql.out).toMatch(/^from logs-audit\.a-default,logs-audit\.b-default metadata/m);
    // --destination: that destination's index only.
    expect((await cli('convert', '-t', 'splunk', '--destinations', file, '--destination', 'splunk-b', deleted)).out).toMatch(/^index="audit_b" event\.name="audit\.stream\.delete" \|/m);
    expect((await cli('convert', '-t', 'opensearch', '--destinations', file, '--destination', 'search-a', mass)).out).toMatch(/source=audit-a \| where/);
    // A name that is not there, of another type, disabled, or without --destinations: an error naming the choices.
    const refused = async (options: { destinations?: string; destination: string; target?: string }) => {
      const error = await convertRules({ target: options.target ?? 'splunk', paths: [deleted], destinations: options.destinations, destination: options.destination }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OtelAuditError);
      expect((error as OtelAuditError).code).toBe('OPTION_INVALID');
      return (error as Error).message;
    };
    expect(await refused({ destinations: file, destination: 'splunk-c' })).toBe(`--destination splunk-c: ${file} has no destination of that name; its splunk_hec destinations: splunk-a, splunk-b`);
    expect(await refused({ destinations: file, destination: 'search-a' })).toBe('--destination search-a is a opensearch destination; the splunk target searches splunk_hec destinations (splunk-a, splunk-b)');
    expect(await refused({ destinations: file, destination: 'splunk-old' })).toMatch(/^--destination splunk-old is disabled \(enabled: false\)/);
    expect(await refused({ destination: 'splunk-a' })).toBe('--destination splunk-a picks a destination of a destinations file: add --destinations FILE');
    // An index taken from the environment cannot be named in a query: said, not written into it as ${env:…}.
    const fromEnv = join(dir, 'env-index.yaml');
    writeFileSync(fromEnv, 'domain: acme.audit\ndestinations:\n  - { name: elastic, type: elasticsearch, endpoint: "https://e.example:9200", index: "${env:ES_INDEX}" }\n');
    expect(await refused({ destinations: fromEnv, destination: 'elastic', target: 'elasticsearch' })).toBe(`${fromEnv}: destination "elastic" takes its index from \${env:ES_INDEX}, which a query cannot name; convert without --destinations`);
    // PPL takes the index as it is (`source=<index> | where …`): a "|" in it would add commands to every query.
    const piped = join(dir, 'piped-index.yaml');
    writeFileSync(piped, 'domain: acme.audit\ndestinations:\n  - { name: search, type: opensearch, endpoint: "https://o.example:9200", index: "audit | fields user.email" }\n');
    // The destinations file itself refuses such an index (the schema), before convert would.
    const pipedError = await convertRules({ target: 'opensearch', paths: [deleted], destinations: piped, destination: 'search' }).then(() => undefined, (error: unknown) => error);
    expect((pipedError as OtelAuditError).code).toBe('DESTINATIONS_INVALID');
    expect((pipedError as Error).message).toMatch(/destinations\[0\]\.index: "audit \| fields user\.email" must be an OpenSearch index name/);
  }, 120_000);
});
