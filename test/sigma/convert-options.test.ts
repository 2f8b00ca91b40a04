// `otel-audit sigma convert` with the real sigma-cli 3.1: each query under
// its rule's title and id, sigma-cli output formats passed through (and an
// unknown one refused with the backend's list), and --destinations naming the
// index the rendered collector config writes to in SPL, PPL and ES|QL.
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
});
