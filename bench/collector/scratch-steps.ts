import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCollectorConfig } from '../../src/collector/index.js';
import { withDefaults } from '../../src/collector/spec.js';
import { minimalFileConfig, startCollector, type RunningCollector } from '../../test/harness/collector.js';
import { attributeOf, otlpLogsRequest, type TestEvent } from '../../test/collector/otlp.js';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PER_REQUEST = 500;
const CONCURRENCY = 4;
const ROUNDS = 5;

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
function requestBodies(): string[] {
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

interface Result {
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


type Cfg = Record<string, any>;
function rendered(ports: any, workDir: string, output: string, trust = true): Cfg {
  return buildCollectorConfig(withDefaults({
    domain: 'acme.audit',
    collector: {
      receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp },
      healthCheck: { bind: '127.0.0.1', port: ports.health },
      memoryLimiter: { limitMiB: 1024, spikeLimitMiB: 256 },
      queue: { directory: join(workDir, 'queue') },
      redaction: { body: true, trustEmitter: trust },
      telemetry: { metricsLevel: 'none' },
    },
    destinations: [{ name: 'archive', type: 'file', path: output, flushInterval: '100ms' }],
  } as never)).config as Cfg;
}
const variants: Record<string, (c: Cfg) => Cfg | undefined> = {
  minimal: () => undefined,
  rendered: (c) => c,
  'no-memlimit': (c) => { c.service.pipelines.logs.processors = c.service.pipelines.logs.processors.filter((p: string) => p !== 'memory_limiter'); return c; },
  'no-filter': (c) => { c.service.pipelines.logs.processors = c.service.pipelines.logs.processors.filter((p: string) => p !== 'filter/audit-domain'); return c; },
  'no-routing': (c) => { c.service.pipelines.logs.exporters = ['file/archive']; delete c.service.pipelines['logs/archive']; delete c.service.pipelines['logs/redact']; delete c.connectors; return c; },
  'merged': (c) => {
    c.service.pipelines.logs.processors = ['memory_limiter'];
    c.connectors['routing/audit-redaction'] = { table: [
      { context: 'log', condition: 'attributes["event.domain"] == "acme.audit" and attributes["audit.redaction"] == "emitter"', pipelines: ['logs/archive'] },
      { context: 'log', condition: 'attributes["event.domain"] == "acme.audit"', pipelines: ['logs/redact'] },
    ] };
    return c;
  },
};
async function run(kind: string, bodies: string[]): Promise<Result> {
  let output = '';
  const collector = await startCollector((ports, workDir) => {
    output = join(workDir, 'out.jsonl');
    const c = variants[kind]!(rendered(ports, workDir, output));
    return c ?? minimalFileConfig(ports, output);
  });
  try {
    return await measure(collector, output, bodies);
  } finally {
    await collector.stop();
    rmSync(collector.workDir, { recursive: true, force: true });
  }
}
const kinds = (process.env.KINDS ?? Object.keys(variants).join(',')).split(',');
const rounds = Number(process.env.ROUNDS_N ?? 3);
const bodies = requestBodies();
const cpu: Record<string, number[]> = {};
for (let round = 0; round < rounds; round++) {
  for (const kind of kinds) {
    const r = await run(kind, bodies);
    (cpu[kind] ??= []).push(r.cpuSeconds);
    console.log(`round ${round + 1} ${kind}: ${Math.round(r.eventsPerSecond)} ev/s, cpu ${r.cpuSeconds.toFixed(2)} s`);
  }
}
const sum = (k: string) => cpu[k]!.reduce((a, b) => a + b, 0);
for (const k of kinds) console.log(`${k.padEnd(14)} cpu ${sum(k).toFixed(2)}  minimal/this ${(sum('minimal') / sum(k)).toFixed(3)}  per-round ${cpu[k]!.map((x) => x.toFixed(2)).join(' ')}`);
