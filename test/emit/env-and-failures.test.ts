// createAuditLogger as a service in Kubernetes meets it: configured by the
// standard OTEL_* variables (explicit options still win), and loud when the
// collector is down instead of silent.
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLogger } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/testing/index.js';
import { catalog } from './fixtures/catalog.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

const login = { actor: { id: 'u-1' }, data: { method: 'password' } };

async function emitOne(options: Parameters<typeof createAuditLogger<typeof catalog>>[0]): Promise<void> {
  const audit = createAuditLogger(options);
  audit.emit('auth.login', login);
  await audit.shutdown();
}

describe('createAuditLogger and the OTEL_* environment', () => {
  it('sends to OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_EXPORTER_OTLP_PROTOCOL, named by OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', async () => {
    const before = receiver.requests.length;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'boards-api', OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=boards-7f9,deployment.environment.name=prod' };
    const saved = { ...process.env };
    Object.assign(process.env, env); // the OTLP exporter reads the endpoint itself, from process.env
    try {
      await emitOne({ catalog, env, warnOnExportError: false });
    } finally {
      process.env = saved;
    }
    const request = receiver.requests[before]!;
    expect(request.encoding).toBe('json');
    expect(request.records[0]!.resource).toMatchObject({ 'service.name': 'boards-api', 'k8s.pod.name': 'boards-7f9', 'deployment.environment.name': 'prod' });
    expect(request.records[0]!.resource['host.name']).toEqual(expect.any(String));
    expect(request.records[0]!.resource['process.pid']).toBe(process.pid);
  });

  it('prefers the logs-specific variable to the generic one, and explicit options to both', async () => {
    const saved = { ...process.env };
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9'; // nothing listens there
    process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = `${receiver.endpoint}/v1/logs`;
    try {
      const before = receiver.requests.length;
      await emitOne({ catalog, env: { OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_SERVICE_NAME: 'from-env' }, serviceName: 'from-option', warnOnExportError: false });
      expect(receiver.requests.length).toBe(before + 1);
      expect(receiver.requests[before]!.encoding).toBe('json');
      expect(receiver.requests[before]!.records[0]!.resource['service.name']).toBe('from-option');
    } finally {
      process.env = saved;
    }
  });

  it('refuses a protocol it cannot send, naming the variable', () => {
    expect(() => createAuditLogger({ catalog, env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
  });

  it('exports nothing under OTEL_SDK_DISABLED=true, and still validates', async () => {
    const before = receiver.requests.length;
    const audit = createAuditLogger({ catalog, endpoint: receiver.endpoint, env: { OTEL_SDK_DISABLED: 'TRUE' } });
    expect(audit.emit('auth.login', login)).toEqual(expect.any(String));
    expect(() => audit.emit('no.such.event' as 'auth.login', login)).toThrow(/no.such.event/);
    await audit.shutdown();
    expect(receiver.requests.length).toBe(before);
  });
});

class ManualReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

describe('export failures are visible without a diag logger', () => {
  it('calls onExportError, counts the records and warns once per failure streak', async () => {
    const down = await startOtlpReceiver({ respond: () => 503 });
    const warnings: string[] = [];
    const errors: number[] = [];
    const reader = new ManualReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const audit = createAuditLogger({ catalog, endpoint: down.endpoint, timeoutMillis: 2000, batch: { scheduledDelayMillis: 10, maxExportBatchSize: 2 }, onExportError: (_error, records) => errors.push(records), meterProvider });
    const originalWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (warnings.push(String(chunk)), true));
    try {
      for (let i = 0; i < 6; i++) audit.emit('auth.login', login);
      await audit.flush();
    } finally {
      process.stderr.write = originalWrite;
    }
    await audit.shutdown();
    await down.close();
    expect(errors.reduce((a, b) => a + b, 0)).toBe(6);
    expect(warnings.filter((w) => w.includes('audit export failed'))).toHaveLength(1);
    const { resourceMetrics } = await reader.collect();
    const failed = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'otel_audit.emit.export_failures');
    expect(failed?.dataPoints.reduce((sum, p) => sum + (p.value as number), 0)).toBe(6);
  });
});
