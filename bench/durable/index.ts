// bench:durable — what durability costs. In one run, on the same disk:
//   the in-memory BatchLogRecordProcessor (no durability, the SDK default),
//   the durable spool with fsync 'interval' and 'always' (emit, and emitDurable = emit + await whenDurable()),
//   a raw loop of append + fdatasync per record (one writer: the physical limit without group commit).
// The exporter answers at once, so the numbers are the local write path, not a network.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { createDurableLogRecordProcessor, emitDurably, type DurableLogRecordProcessor, type FsyncMode } from '../../src/delivery/index.js';
import { writeBenchmarkSection } from '../report.js';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const CONCURRENCY = 16;

const instantExporter: LogRecordExporter = {
  export: (_records, done) => queueMicrotask(() => done({ code: ExportResultCode.SUCCESS })),
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
};

let counter = 0;
function emitOne(logger: Logger): void {
  const id = `01JD${String(counter++).padStart(22, '0')}`;
  logger.emit({
    eventName: 'repo.fork',
    severityNumber: 9,
    severityText: 'INFO',
    body: { id, name: 'repo.fork', domain: 'acme.audit', source: 'api', outcome: 'success', actor: { id: 'u-42', type: 'user', email: 'ada@example.com', ip: '203.0.113.9' }, target: { type: 'repository', id: 'r-7', name: 'acme/api' }, organization: 'acme', data: { visibility: 'private', fork: 'ada/api' } },
    attributes: { 'log.record.uid': id, 'event.name': 'repo.fork', 'event.domain': 'acme.audit', 'event.source': 'api', 'audit.outcome': 'success', 'user.id': 'u-42', 'user.email': 'ada@example.com', 'client.address': '203.0.113.9', 'audit.target.type': 'repository', 'audit.target.id': 'r-7', 'organization.id': 'acme', 'audit.data.visibility': 'private' },
  });
}

interface Result {
  name: string;
  emitters: number;
  records: number;
  perSecond: number;
  p50Us: number;
  p99Us: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function result(name: string, emitters: number, latenciesMs: number[], elapsedMs: number): Result {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { name, emitters, records: sorted.length, perSecond: Math.round(sorted.length / (elapsedMs / 1000)), p50Us: Math.round(percentile(sorted, 50) * 1000), p99Us: Math.round(percentile(sorted, 99) * 1000) };
}

function setup(processor: LogRecordProcessor): { provider: LoggerProvider; logger: Logger } {
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench' }), processors: [processor] });
  return { provider, logger: provider.getLogger('bench') };
}

/** Fire-and-forget emits in slices of 100, yielding between slices so fsyncs and sends can run. */
async function benchEmit(name: string, logger: Logger): Promise<Result> {
  const latencies: number[] = [];
  const started = performance.now();
  while (performance.now() - started < DURATION_MS) {
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      emitOne(logger);
      latencies.push(performance.now() - t);
    }
    await new Promise((r) => setImmediate(r));
  }
  return result(name, 1, latencies, performance.now() - started);
}

/** `emitters` concurrent loops of emitDurably (ready + emit + await whenDurable()). */
async function benchEmitDurable(name: string, logger: Logger, processor: DurableLogRecordProcessor, emitters: number): Promise<Result> {
  const latencies: number[] = [];
  const started = performance.now();
  const loop = async () => {
    while (performance.now() - started < DURATION_MS) {
      const t = performance.now();
      await emitDurably(processor, () => emitOne(logger));
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: emitters }, loop));
  return result(name, emitters, latencies, performance.now() - started);
}

function rawAppendFsync(directory: string, frameBytes: number, when: string): Result {
  const fd = openSync(join(directory, 'raw.log'), 'a');
  const frame = Buffer.alloc(frameBytes, 0x61);
  const latencies: number[] = [];
  const started = performance.now();
  while (performance.now() - started < DURATION_MS) {
    const t = performance.now();
    writeSync(fd, frame);
    fdatasyncSync(fd);
    latencies.push(performance.now() - t);
  }
  closeSync(fd);
  return result(`raw append + fdatasync per record (${when})`, 1, latencies, performance.now() - started);
}

/** The on-disk size of one benchmark record, so the raw loop writes the same bytes. */
async function measureFrameBytes(base: string): Promise<number> {
  const processor = createDurableLogRecordProcessor({ exporter: instantExporter, directory: mkdtempSync(join(base, 'size-')) });
  processor.pause();
  const { logger } = setup(processor);
  for (let i = 0; i < 100; i++) emitOne(logger);
  const bytes = Math.round(processor.stats().queuedBytes / 100);
  await processor.shutdown(0);
  return bytes;
}

async function durable(fsync: FsyncMode, base: string): Promise<Result[]> {
  const results: Result[] = [];
  for (const mode of ['emit', 'emitDurable-1', `emitDurable-${CONCURRENCY}`] as const) {
    const directory = mkdtempSync(join(base, `${fsync}-`));
    const processor = createDurableLogRecordProcessor({ exporter: instantExporter, directory, fsync, fsyncIntervalMillis: 100 });
    const { provider, logger } = setup(processor);
    const label = `durable fsync '${fsync}'${fsync === 'interval' ? ' (100 ms)' : ''}`;
    if (mode === 'emit') results.push(await benchEmit(`${label}: emit`, logger));
    else {
      const emitters = mode === 'emitDurable-1' ? 1 : CONCURRENCY;
      results.push(await benchEmitDurable(`${label}: emitDurable`, logger, processor, emitters));
    }
    await provider.shutdown();
    rmSync(directory, { recursive: true, force: true });
  }
  return results;
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'otel-audit-bench-durable-'));
  const results: Result[] = [];
  // The raw loop runs first and last (the disk is shared and noisy); the faster run is the reference.
  // Its frame size is that of a spooled record of this benchmark.
  const frameBytes = await measureFrameBytes(base);
  const rawFirst = rawAppendFsync(base, frameBytes, 'first');
  results.push(rawFirst);

  const batch = setup(new BatchLogRecordProcessor({ exporter: instantExporter, maxQueueSize: 100_000 }));
  results.push(await benchEmit('in-memory BatchLogRecordProcessor: emit', batch.logger));
  await batch.provider.shutdown();

  results.push(...(await durable('interval', base)));
  results.push(...(await durable('always', base)));
  const rawLast = rawAppendFsync(base, frameBytes, 'last');
  results.push(rawLast);
  const raw = rawFirst.perSecond >= rawLast.perSecond ? rawFirst : rawLast;
  rmSync(base, { recursive: true, force: true });

  const target = results.find((r) => r.name.startsWith("durable fsync 'always'") && r.name.endsWith('emitDurable') && r.emitters === CONCURRENCY)!;
  const ratio = target.perSecond / raw.perSecond;
  const table = [
    '| path | emitters | records/s | p50 latency | p99 latency |',
    '|---|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${r.emitters} | ${r.perSecond.toLocaleString('en-US')} | ${(r.p50Us / 1000).toFixed(3)} ms | ${(r.p99Us / 1000).toFixed(3)} ms |`),
  ].join('\n');
  const markdown = `${table}

Each row ran for ${DURATION_MS / 1000} s on the same disk, records of ${frameBytes} bytes on disk (${process.env.BENCH_DIR ?? tmpdir()}); the exporter acknowledges at once, so this is the local write path.
\`emit\` returns once the record is written to the operating system (it survives a process kill); \`emitDurable\` also waits for the fdatasync that covers it (it survives power loss).
The raw loop is one writer doing write + fdatasync per record, run first and last; the faster run (${raw.perSecond.toLocaleString('en-US')}/s) is the reference. Group commit lets ${CONCURRENCY} concurrent \`emitDurable\` callers share each fdatasync:
**${Math.round(ratio * 100)}% of the raw loop** (target ≥ 50%): ${ratio >= 0.5 ? 'met' : 'NOT met'}.`;
  console.log(markdown);
  writeBenchmarkSection('durable', 'Durable delivery (bench/durable)', 'npm run bench:durable', markdown);
}

await main();
