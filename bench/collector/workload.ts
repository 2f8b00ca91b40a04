// The workload of the collector benchmarks (index.ts, steps.ts): audit records
// as the emitter sends them, posted over OTLP/HTTP JSON to a collector started
// with a given config, timed until the last one is in the file exporter's
// output, with the collector's CPU time and memory.
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCollectorConfig } from '../../src/collector/index.js';
import { withDefaults } from '../../src/collector/spec.js';
import { startCollector, type CollectorPorts, type RunningCollector } from '../../test/harness/collector.js';
import { attributeOf, otlpLogsRequest, type TestEvent } from '../../test/collector/otlp.js';

export const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
export const PER_REQUEST = 500;
export const CONCURRENCY = 4;

/**
 * An event as the emitter sends it: the contract's actor/target/tenant fields
 * and a small data object; one in ten carries a secret the emitter already
 * replaced with [REDACTED], one in a hundred a live secret (which the collector
 * masks when it does not trust the emitter's mark).
 */
function realisticEvent(i: number): TestEvent {
  const data: Record<string, unknown> = { repository: `acme/api-${i % 50}`, visibility: 'private', changes: i % 5 };
  if (i % 10 === 0) data.password = '[REDACTED]';
  if (i % 100 === 0) data.nested = { apiToken: 'live-secret' };
  return {
    id: `bench-${i}`,
    name: i % 3 === 0 ? 'repo.fork' : 'auth.login',
    domain: 'acme.audit',
    source: 'api',
    outcome: 'success',
    actor: { id: `user-${i % 1000}`, type: 'user', email: `user${i % 1000}@acme.example`, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' },
    target: { type: 'repository', id: `repo-${i % 50}` },
    organization: `org-${i % 7}`,
    data,
  };
}

/** Pre-serialized requests, so the sender spends its CPU on sending, not on JSON. */
export function requestBodies(): string[] {
  const bodies: string[] = [];
  for (let start = 0; start < EVENTS; start += PER_REQUEST) {
    const events: TestEvent[] = [];
    for (let i = start; i < Math.min(EVENTS, start + PER_REQUEST); i++) {
      events.push(realisticEvent(i));
    }
    bodies.push(JSON.stringify(otlpLogsRequest(events, { emitterMark: true })));
  }
  return bodies;
}

/** Counts a marker in a growing file, reading only the new bytes. */
function counter(file: string, marker: string): () => number {
  let offset = 0;
  let count = 0;
  let carry = '';
  return () => {
    if (!existsSync(file)) return 0;
    const size = statSync(file).size;
    if (size <= offset) return count;
    const fd = openSync(file, 'r');
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    closeSync(fd);
    offset = size;
    const text = carry + buffer.toString('utf8');
    let at = text.indexOf(marker);
    let last = 0;
    while (at >= 0) {
      count++;
      last = at + marker.length;
      at = text.indexOf(marker, last);
    }
    carry = text.slice(Math.max(last, text.length - marker.length + 1));
    return count;
  };
}

function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/** User + system CPU seconds the process has used (robust when other work shares the machine). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface Result {
  cpuSeconds: number;
  eventsPerSecond: number;
  seconds: number;
  rssMiB: number;
  peakMiB: number;
}

async function measure(collector: RunningCollector, output: string, bodies: string[]): Promise<Result> {
  const count = counter(output, `"${attributeOf('id')}"`);
  const url = `http://127.0.0.1:${collector.ports.otlpHttp}/v1/logs`;
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (response.status !== 200) throw new Error(`collector answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const deadline = Date.now() + 120_000;
  while (count() < EVENTS) {
    if (Date.now() > deadline) throw new Error(`only ${count()} of ${EVENTS} records reached ${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: EVENTS / seconds, seconds, cpuSeconds: cpuSecondsOf(collector.pid), ...memoryOf(collector.pid) };
}

/** The rendered config the benchmarks run: the defaults, one file destination (`output`). */
export function renderedConfig(ports: CollectorPorts, workDir: string, output: string, trustEmitter: boolean): Record<string, unknown> {
  return buildCollectorConfig(withDefaults({
    domain: 'acme.audit',
    collector: {
      receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp },
      healthCheck: { bind: '127.0.0.1', port: ports.health },
      memoryLimiter: { limitMiB: 1024, spikeLimitMiB: 256 },
      queue: { directory: join(workDir, 'queue') },
      redaction: { body: true, trustEmitter },
      telemetry: { metricsLevel: 'none' },
    },
    destinations: [{ name: 'archive', type: 'file', path: output, flushInterval: '100ms' }],
  })).config;
}

/** Starts the collector (the tests' build, or `binary`) with `makeConfig(ports, workDir, output)`, sends `bodies` and measures; stops it and removes its folder. */
export async function runCollector(makeConfig: (ports: CollectorPorts, workDir: string, output: string) => Record<string, unknown>, bodies: string[], binary?: string): Promise<Result> {
  let output = '';
  const collector = await startCollector(
    (ports, workDir) => {
      output = join(workDir, 'out.jsonl');
      return makeConfig(ports, workDir, output);
    },
    { binary },
  );
  try {
    return await measure(collector, output, bodies);
  } finally {
    await collector.stop();
    rmSync(collector.workDir, { recursive: true, force: true });
  }
}
