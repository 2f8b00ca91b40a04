// bench:verify — how fast `otel-audit verify` reads and proves a trail from a
// file: records emitted with integrity on (a digest every 1000), written as
// the collector's file exporter writes them (one OTLP/JSON request of up to
// 512 records per line, attributes and resource included), then read
// (readTrail) and verified (verifyTrail) with only the public key.
// Target: at least 200,000 records per CPU-second on one core.
// BENCH_FORM=canonical writes canonical JSON lines instead; BENCH_TRAIL=<file>
// keeps the trail (and its public key in <file>.pub) and reads it again on
// later runs, to profile the reader without emitting the trail each time.
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyValue } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { createAuditLogger } from '../../src/index.js';
import { publicKeys, verifyTrail } from '../../src/integrity/index.js';
import { readTrailFile } from '../../src/integrity/read.js';
import { catalog } from '../../test/emit/fixtures/catalog.js';
import { writeBenchmarkSection } from '../report.js';

const total = Number(process.env.BENCH_EVENTS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/** `otlp` (default): file exporter lines; `canonical`: one canonical event per line, as a webhook or S3 `body` store holds them. */
const form = process.env.BENCH_FORM === 'canonical' ? 'canonical' : 'otlp';
/** A trail file to keep and read again on later runs (its public key beside it, in `<file>.pub`), for profiling. */
const kept = process.env.BENCH_TRAIL;

/** An AnyValue as protojson writes it (the collector's file exporter): 64-bit integers as strings. */
function anyValue(value: AnyValue): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (value === null || value === undefined) return {};
  return { kvlistValue: { values: keyValues(value as Record<string, AnyValue>) } };
}

function keyValues(values: Record<string, AnyValue>): unknown[] {
  return Object.entries(values).filter(([, value]) => value !== undefined).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** One file exporter line: an ExportLogsServiceRequest holding `records`. */
function otlpLine(records: readonly ReadableLogRecord[]): string {
  const logRecords = records.map((record) => ({
    timeUnixNano: String(record.hrTime[0] * 1e9 + record.hrTime[1]),
    observedTimeUnixNano: String(record.hrTimeObserved[0] * 1e9 + record.hrTimeObserved[1]),
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: anyValue(record.body),
    attributes: keyValues(record.attributes as Record<string, AnyValue>),
    eventName: record.eventName,
    traceId: '',
    spanId: '',
  }));
  const resource = { attributes: keyValues({ 'service.name': 'bench-verify', 'host.name': 'bench-host', 'process.pid': 4242, 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.version': '3.1.0' }) };
  return JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'otel-audit' }, logRecords }] }] });
}

/** Appends the exported records as file exporter lines, 512 records per line, and empties the exporter. */
function drain(exporter: InMemoryLogRecordExporter, lines: string[]): void {
  const records = exporter.getFinishedLogRecords();
  if (form === 'canonical') for (const record of records) lines.push(JSON.stringify(record.body));
  else for (let i = 0; i < records.length; i += 512) lines.push(otlpLine(records.slice(i, i + 512)));
  exporter.reset();
}

async function makeTrail(file: string): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const exporter = new InMemoryLogRecordExporter();
  const audit = createAuditLogger({ catalog, exporter, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, batch: { maxQueueSize: 20_000, scheduledDelayMillis: 10_000 } });
  // Written as it is made: 200,000 records of OTLP/JSON are more text than one string can hold.
  writeFileSync(file, '');
  const lines: string[] = [];
  const write = () => {
    appendFileSync(file, lines.map((line) => `${line}\n`).join(''));
    lines.length = 0;
  };
  for (let i = 0; i < total; i++) {
    const common = { source: 'api', outcome: 'success' as const, actor: { id: `u-${i % 97}`, type: 'user', email: `u${i % 97}@example.com`, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' }, organization: `org-${i % 13}` };
    if (i % 2 === 0) audit.emit('repo.fork', { ...common, target: { type: 'repository', id: `r-${i}`, name: `acme/r${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'k' } });
    else audit.emit('auth.login', { ...common, data: { method: 'password', password: 'hunter2' } });
    if (i % 10_000 === 9_999) {
      await audit.flush();
      drain(exporter, lines);
      write();
    }
  }
  await audit.integrity!.digest();
  await audit.flush();
  drain(exporter, lines);
  write();
  await audit.shutdown();
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The engine's own JSON.parse over the same file, a line at a time, and nothing
 * else: what a native parser costs for this much JSON. Not a reader verify could
 * use (it builds every attribute and wrapper), but the yardstick for the text volume.
 */
function parseOnly(file: string): number {
  const fd = openSync(file, 'r');
  let buffer = Buffer.allocUnsafe(1 << 24);
  let filled = 0;
  let position = 0;
  let lines = 0;
  try {
    for (;;) {
      if (filled === buffer.length) buffer = Buffer.concat([buffer], buffer.length * 2);
      const read = readSync(fd, buffer, filled, buffer.length - filled, position);
      if (read === 0) break;
      position += read;
      filled += read;
      let start = 0;
      for (let end = buffer.indexOf(0x0a, start); end >= 0 && end < filled; end = buffer.indexOf(0x0a, start)) {
        JSON.parse(buffer.toString('latin1', start, end));
        lines++;
        start = end + 1;
      }
      buffer.copy(buffer, 0, start, filled);
      filled -= start;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

function cpuMillis(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-audit-bench-verify-'));
  const file = kept ?? join(dir, 'trail.jsonl');
  const loadBefore = loadavg()[0]!;
  if (kept && !existsSync(`${kept}.pub`)) writeFileSync(`${kept}.pub`, await makeTrail(kept));
  const keys = publicKeys([kept ? readFileSync(`${kept}.pub`, 'utf8') : await makeTrail(file)]);
  const rows: string[] = [];
  const rates: number[] = [];
  let records = 0;
  for (let round = 0; round < rounds; round++) {
    const cpu = cpuMillis();
    const started = performance.now();
    // As `otel-audit verify` reads a file: a line at a time, each record verified as it is read.
    const read = readTrailFile(file);
    const report = verifyTrail(read.records, { keys });
    const wall = performance.now() - started;
    const used = cpuMillis() - cpu;
    if (report.exitCode !== 0 || read.unreadable.length > 0) throw new Error(`the trail did not verify: ${JSON.stringify({ unreadable: read.unreadable.length, streams: report.streams.map((s) => ({ gaps: s.gaps.length, modified: s.modified.length })) })}`);
    // Records and digests read.
    const count = report.streams.reduce((n, s) => n + s.records + s.validDigests, 0);
    records = count;
    const perCpu = count / (used / 1000);
    rates.push(perCpu);
    rows.push(`| ${round + 1} | ${count.toLocaleString('en-US')} | ${Math.round(wall)} | ${Math.round(used)} | ${Math.round(count / (wall / 1000)).toLocaleString('en-US')} | ${Math.round(perCpu).toLocaleString('en-US')} |`);
  }
  const parseCpu = cpuMillis();
  parseOnly(file);
  const parseRate = records / ((cpuMillis() - parseCpu) / 1000);
  const fileMb = statSync(file).size / 1e6;
  const bytesPerRecord = (fileMb * 1e6) / records;
  rmSync(dir, { recursive: true, force: true });
  const median = rates.slice().sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
  const markdown = [
    `${total.toLocaleString('en-US')} records (a repo.fork and an auth.login in turn, a digest every 1000) emitted with integrity on, written ${form === 'otlp' ? "as the collector's file exporter writes them (OTLP/JSON, 512 records per line" : 'as canonical JSON lines (a webhook or S3 `body` store'}; ${Math.round(fileMb)} MB), then read a line at a time and verified ${rounds} times. 1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after.`,
    '',
    '| round | records | wall ms | CPU ms | records/s | records per CPU-second |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `- verify: **${Math.round(median).toLocaleString('en-US')} records per CPU-second** (median; target ≥ 200,000): ${median >= 200_000 ? 'met' : 'NOT met'}`,
    `- for scale: the engine's own \`JSON.parse\` of the same lines, and nothing else, reads ${Math.round(parseRate).toLocaleString('en-US')} records per CPU-second (${Math.round(bytesPerRecord)} bytes a record: the target rate is ${Math.round((bytesPerRecord * 200_000) / 1e6)} MB of JSON per CPU-second)`,
  ].join('\n');
  console.log(markdown);
  // One section per form, so both stay in docs/benchmarks.md.
  if (form === 'otlp') writeBenchmarkSection('verify', "Verify: reading and proving a trail (the file exporter's OTLP lines)", 'npm run bench:verify', markdown);
  else writeBenchmarkSection('verify-canonical', 'Verify: reading and proving a trail (canonical JSON lines)', 'BENCH_FORM=canonical npm run bench:verify', markdown);
}

await main();
