// Shared pieces of the durable suites: the webhook receiver of otel-audit/testing
// (records what arrives, can answer with errors), a LoggerProvider around a
// processor, and a metrics reader.
import { spawn, type ChildProcess } from 'node:child_process';
import { startWebhookReceiver, type WebhookReceiver, type WebhookResponder } from '../../src/testing/index.js';
import { createInterface } from 'node:readline';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@opentelemetry/api';
import { LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

// The webhook receiver lives in otel-audit/testing; these names keep the suites short.
export type { ReceivedRequest, WebhookReceiver as Receiver } from '../../src/testing/index.js';
export type Responder = WebhookResponder;

export function startReceiver(port = 0, respond?: Responder): Promise<WebhookReceiver> {
  return startWebhookReceiver({ port, respond });
}

export function tempDir(prefix = 'otel-audit-spool-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function loggerWith(processor: LogRecordProcessor): { provider: LoggerProvider; logger: Logger } {
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'durable-test' }), processors: [processor] });
  return { provider, logger: provider.getLogger('durable-test', '1.0.0') };
}

/** Emits an audit-like record whose body is a canonical event with `id`. */
export function emitEvent(logger: Logger, id: string, extra: Record<string, unknown> = {}): void {
  logger.emit({
    eventName: 'repo.fork',
    severityNumber: 9,
    severityText: 'INFO',
    body: { id, name: 'repo.fork', ...extra },
    attributes: { 'log.record.uid': id, 'event.name': 'repo.fork' },
  });
}

export async function waitFor(condition: () => boolean, timeoutMillis = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

class ManualReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** A MeterProvider whose metrics a test reads on demand: name → latest value (summed over attribute sets). */
export function metricsProbe(): { meterProvider: MeterProvider; read(): Promise<Record<string, number>> } {
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    meterProvider,
    async read() {
      const { resourceMetrics } = await reader.collect();
      const values: Record<string, number> = {};
      for (const scope of (resourceMetrics).scopeMetrics) {
        for (const metric of scope.metrics) {
          values[metric.descriptor.name] = metric.dataPoints.reduce((sum, point) => sum + (typeof point.value === 'number' ? point.value : 0), 0);
        }
      }
      return values;
    },
  };
}

// test/durable/fixtures/spool-child.ts run as its own process; it prints JSON lines.
const CHILD = join(import.meta.dirname, 'fixtures', 'spool-child.ts');

/** Runs the spool child with `args`; `next` waits for a printed line that matches. */
export function startChild(args: string[], env: Record<string, string> = {}): { child: ChildProcess; lines: Record<string, unknown>[]; next: (predicate: (line: Record<string, unknown>) => boolean, timeoutMillis: number) => Promise<Record<string, unknown>>; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const lines: Record<string, unknown>[] = [];
  const listeners: (() => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const next = (predicate: (line: Record<string, unknown>) => boolean, timeoutMillis: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => reject(new Error(`child did not report in ${timeoutMillis} ms; stderr:\n${stderr.slice(-3000)}`)), timeoutMillis);
      listeners.push(check);
      void exited.then(() => setTimeout(check, 50));
      check();
    });
  return { child, lines, next, exited, stderr: () => stderr };
}

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** Runs the otel-audit CLI from source; asynchronous, so a receiver in this process keeps answering while it runs. */
export function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: join(import.meta.dirname, '..', '..') });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}
