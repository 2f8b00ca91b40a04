// bench:verify — how fast `otel-audit verify` reads and proves a trail from a
// file: records emitted with integrity on (a digest every 1000), written as
// the canonical JSON lines a webhook or S3 `body` store holds, then read
// (readTrail) and verified (verifyTrail) with only the public key.
// Target: at least 200,000 records per CPU-second on one core.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { createAuditLogger } from '../../src/index.js';
import { publicKeys, readTrail, verifyTrail } from '../../src/integrity/index.js';
import { catalog } from '../../test/emit/fixtures/catalog.js';
import { writeBenchmarkSection } from '../report.js';

const total = Number(process.env.BENCH_EVENTS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

async function makeTrail(file: string): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const exporter = new InMemoryLogRecordExporter();
  const audit = createAuditLogger({ catalog, exporter, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, batch: { maxQueueSize: 20_000, scheduledDelayMillis: 10_000 } });
  const lines: string[] = [];
  for (let i = 0; i < total; i++) {
    const common = { source: 'api', outcome: 'success' as const, actor: { id: `u-${i % 97}`, type: 'user', email: `u${i % 97}@example.com`, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' }, organization: `org-${i % 13}` };
    if (i % 2 === 0) audit.emit('repo.fork', { ...common, target: { type: 'repository', id: `r-${i}`, name: `acme/r${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'k' } });
    else audit.emit('auth.login', { ...common, data: { method: 'password', password: 'hunter2' } });
    if (i % 10_000 === 9_999) {
      await audit.flush();
      for (const record of exporter.getFinishedLogRecords()) lines.push(JSON.stringify(record.body));
      exporter.reset();
    }
  }
  await audit.integrity!.digest();
  await audit.flush();
  for (const record of exporter.getFinishedLogRecords()) lines.push(JSON.stringify(record.body));
  await audit.shutdown();
  writeFileSync(file, lines.join('\n') + '\n');
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function cpuMillis(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-audit-bench-verify-'));
  const file = join(dir, 'trail.jsonl');
  const loadBefore = loadavg()[0]!;
  const keys = publicKeys([await makeTrail(file)]);
  const rows: string[] = [];
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const cpu = cpuMillis();
    const started = performance.now();
    const { records } = readTrail(readFileSync(file, 'utf8'), file);
    const report = verifyTrail(records, { keys });
    const wall = performance.now() - started;
    const used = cpuMillis() - cpu;
    if (report.exitCode !== 0) throw new Error(`the trail did not verify: ${JSON.stringify(report.streams.map((s) => ({ gaps: s.gaps.length, modified: s.modified.length })))}`);
    const perCpu = records.length / (used / 1000);
    rates.push(perCpu);
    rows.push(`| ${round + 1} | ${records.length.toLocaleString('en-US')} | ${Math.round(wall)} | ${Math.round(used)} | ${Math.round(records.length / (wall / 1000)).toLocaleString('en-US')} | ${Math.round(perCpu).toLocaleString('en-US')} |`);
  }
  rmSync(dir, { recursive: true, force: true });
  const median = rates.slice().sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
  const markdown = [
    `${total.toLocaleString('en-US')} records (a repo.fork and an auth.login in turn, a digest every 1000) emitted with integrity on, written as canonical JSON lines, then read and verified ${rounds} times. 1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after.`,
    '',
    '| round | records | wall ms | CPU ms | records/s | records per CPU-second |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `- verify: **${Math.round(median).toLocaleString('en-US')} records per CPU-second** (median; target ≥ 200,000): ${median >= 200_000 ? 'met' : 'NOT met'}`,
  ].join('\n');
  console.log(markdown);
  writeBenchmarkSection('verify', 'Verify: reading and proving a trail', 'npm run bench:verify', markdown);
}

await main();
