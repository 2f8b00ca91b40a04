// Tamper evidence through the real collector: the emitter stamps and signs,
// the rendered config carries the records to a file destination untouched,
// and `otel-audit verify` proves the file intact with only the public key,
// then names each change an attacker makes to the file.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCollectorConfig } from '../../src/collector/index.js';
import { withDefaults } from '../../src/collector/spec.js';
import { createAuditLogger } from '../../src/index.js';
import { packageRoot } from '../../src/package-root.js';
import { readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { waitFor } from '../harness/wait.js';
import { catalog } from '../emit/fixtures/catalog.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let collector: RunningCollector;
let out = '';
let publicKeyFile = '';
const CLI = join(packageRoot(), 'src', 'cli', 'main.ts');

function verify(file: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'verify', file, '--public-key', publicKeyFile], { cwd: packageRoot(), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  collector = await startCollector((ports, workDir) => {
    out = join(workDir, 'audit.jsonl');
    publicKeyFile = join(workDir, 'audit-signing.pub.pem');
    writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
    return buildCollectorConfig(withDefaults({
      domain: catalog.domain,
      collector: {
        receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp },
        healthCheck: { bind: '127.0.0.1', port: ports.health },
        queue: { directory: join(workDir, 'queue') },
        telemetry: { metricsLevel: 'none' },
      },
      destinations: [{ name: 'archive', type: 'file', path: out, flushInterval: '100ms' }],
    })).config;
  });
  const audit = createAuditLogger({ catalog, endpoint: `http://127.0.0.1:${collector.ports.otlpHttp}`, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), digestEvery: 50 }, warnOnExportError: false });
  for (let i = 0; i < 120; i++) audit.emit('repo.fork', { actor: { id: `u-${i % 7}` }, organization: 'acme', data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'ssh-ed25519 AAAA' } });
  await audit.shutdown();
  // 120 records and 3 digests (50, 100, the final 120)
  await waitFor(() => readFileExporterOutput(out).length >= 123 || undefined, 30_000, 'every record in the file');
}, 120_000);
afterAll(() => collector.stop());

describe('otel-audit verify on what the collector wrote', () => {
  it('proves the file intact', () => {
    const result = verify(out);
    expect(result.stdout).toMatch(/OK: 120 records and 3 digests in 1 stream proven intact/);
    expect(result.stdout).toMatch(/intact: 1-120/);
    expect(result.status).toBe(0);
  });

  it('names a deleted line as a gap and an edited field as a modified record', () => {
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    // The file exporter writes one OTLP request per line; find the line holding record 60 and drop one record of it.
    const tampered = lines.map((line) => line.replace('"u-3"', '"u-9"'));
    const edited = join(collector.workDir, 'edited.jsonl');
    writeFileSync(edited, tampered.join('\n') + '\n');
    const editedResult = verify(edited);
    expect(editedResult.status).toBe(1);
    expect(editedResult.stdout).toMatch(/MODIFIED \d+ /);

    const records = readFileExporterOutput(out);
    const bodies = records.map((r) => JSON.stringify(r.body)).filter((text) => !text.includes('"seq":61,'));
    const deleted = join(collector.workDir, 'deleted.jsonl');
    writeFileSync(deleted, bodies.join('\n') + '\n');
    const deletedResult = verify(deleted);
    expect(deletedResult.status).toBe(1);
    expect(deletedResult.stdout).toMatch(/GAP 61: missing/);
  });
});
