// Proves the harness: the real collector round-trips a record, and the real
// sigma-cli converts a rule. If a tool is missing these fail with how to get it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { minimalFileConfig, readFileExporterOutput, startCollector, validateConfig, type RunningCollector } from './collector.js';
import { sigma, sigmaConvert } from './sigma.js';
import { waitFor } from './wait.js';

describe('collector harness', () => {
  let collector: RunningCollector | undefined;
  afterAll(async () => collector?.stop());

  it('validates a good config and reports a bad key', async () => {
    const ports = { otlpGrpc: 1, otlpHttp: 2, health: 3 };
    expect((await validateConfig(minimalFileConfig(ports, '/tmp/out.jsonl'))).ok).toBe(true);
    const broken = minimalFileConfig(ports, '/tmp/out.jsonl');
    (broken.exporters as Record<string, Record<string, unknown>>).file!.verbosity = 'detailed';
    const result = await validateConfig(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/invalid keys: verbosity/);
  });

  it('receives one OTLP/HTTP JSON log record and writes it to the file exporter', async () => {
    let output = '';
    collector = await startCollector((ports, dir) => minimalFileConfig(ports, (output = join(dir, 'out.jsonl'))));
    const request = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'smoke' } }] },
        scopeLogs: [{
          scope: { name: 'otel-audit-smoke' },
          logRecords: [{
            timeUnixNano: '1700000000000000000',
            severityNumber: 9,
            severityText: 'INFO',
            eventName: 'repo.fork',
            body: { kvlistValue: { values: [{ key: 'name', value: { stringValue: 'repo.fork' } }] } },
            attributes: [
              { key: 'event.domain', value: { stringValue: 'acme.audit' } },
              { key: 'audit.data.count', value: { intValue: '3' } },
            ],
          }],
        }],
      }],
    };
    const response = await fetch(`http://127.0.0.1:${collector.ports.otlpHttp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(200);
    const records = await waitFor(() => {
      const decoded = readFileExporterOutput(output);
      return decoded.length > 0 ? decoded : undefined;
    });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventName: 'repo.fork',
      severityNumber: 9,
      attributes: { 'event.domain': 'acme.audit', 'audit.data.count': 3 },
      resource: { 'service.name': 'smoke' },
      body: { name: 'repo.fork' },
    });
  });
});

describe('sigma-cli harness', () => {
  it('converts a small rule to Splunk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-sigma-'));
    const rule = join(dir, 'otel_audit_smoke_repo_fork.yml');
    writeFileSync(rule, [
      'title: Smoke Repository Fork',
      'id: 0b9f9a4e-5d0e-4a43-9d3c-2f5a8d7c1e11',
      'status: experimental',
      'description: Detects a repository fork (harness smoke test).',
      'logsource: {product: otel_audit, service: audit}',
      'detection:',
      '    selection:',
      '        event.domain: acme.audit',
      '        event.name: repo.fork',
      '    condition: selection',
      'level: low',
      '',
    ].join('\n'));
    const query = await sigmaConvert('splunk', [rule, '--without-pipeline']);
    expect(query.trim()).toBe('event.domain="acme.audit" event.name="repo.fork"');
    const version = await sigma(['version']);
    expect(version.code).toBe(0);
  });
});
