// The same collector config in Kubernetes packagings: values for the official
// opentelemetry-collector Helm chart, and an OpenTelemetryCollector resource
// for the OpenTelemetry Operator (v1beta1). Both run a StatefulSet so the
// persistent queue survives a pod restart on its volume claim.
import type { BuiltConfig } from './render.js';
import { envReferences } from './secrets.js';

const SECRET_NAME = 'otel-audit-secrets';
const QUEUE_VOLUME = 'audit-queue';

function imageParts(image: string): { repository: string; tag: string } {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? { repository: image.slice(0, at), tag: image.slice(at + 1) } : { repository: image, tag: 'latest' };
}

/** Each referenced env var comes from one Kubernetes Secret key of the same name. */
function secretEnv(built: BuiltConfig): Record<string, unknown>[] {
  return [...envReferences(built.config)].sort().map((name) => ({ name, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: name } } }));
}

function queueClaim(): Record<string, unknown> {
  return { metadata: { name: QUEUE_VOLUME }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
}

/**
 * Helm values. The chart deep-merges `config` into its own default config, so
 * the chart's default receivers, pipelines and processor limits we do not use
 * are set to null (Helm's way to delete a key).
 */
export function packageHelm(built: BuiltConfig): Record<string, unknown> {
  const c = built.spec.collector;
  const config = structuredClone(built.config) as Record<string, Record<string, unknown>>;
  config.receivers = { jaeger: null, prometheus: null, zipkin: null, ...config.receivers };
  config.processors = { batch: null, ...config.processors };
  const memoryLimiter = config.processors.memory_limiter as Record<string, unknown>;
  config.processors.memory_limiter = { ...memoryLimiter, limit_percentage: null, spike_limit_percentage: null };
  config.exporters = { debug: null, ...config.exporters };
  const service = config.service as Record<string, unknown>;
  service.pipelines = { traces: null, metrics: null, logs: null, ...(service.pipelines as Record<string, unknown>) };
  return {
    mode: 'statefulset',
    image: imageParts(c.image),
    command: { name: 'otelcol-contrib' },
    replicaCount: 1,
    config,
    ports: {
      otlp: { enabled: true, containerPort: c.receiver.grpcPort, servicePort: c.receiver.grpcPort, protocol: 'TCP', appProtocol: 'grpc' },
      'otlp-http': { enabled: true, containerPort: c.receiver.httpPort, servicePort: c.receiver.httpPort, protocol: 'TCP' },
      'jaeger-compact': { enabled: false },
      'jaeger-thrift': { enabled: false },
      'jaeger-grpc': { enabled: false },
      zipkin: { enabled: false },
    },
    extraEnvs: secretEnv(built),
    statefulset: { volumeClaimTemplates: [queueClaim()] },
    extraVolumeMounts: [{ name: QUEUE_VOLUME, mountPath: c.queue.directory }],
  };
}

/** The config inside Helm values as the chart would apply it (nulls removed). */
export function helmConfigPart(values: Record<string, unknown>): Record<string, unknown> {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, strip(v)]));
  };
  return strip(values.config) as Record<string, unknown>;
}

export function packageOperator(built: BuiltConfig): Record<string, unknown> {
  const c = built.spec.collector;
  const name = `otel-audit-${built.spec.domain.replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
  return {
    apiVersion: 'opentelemetry.io/v1beta1',
    kind: 'OpenTelemetryCollector',
    metadata: { name },
    spec: {
      mode: 'statefulset',
      replicas: 1,
      image: c.image,
      env: secretEnv(built),
      volumeClaimTemplates: [queueClaim()],
      volumeMounts: [{ name: QUEUE_VOLUME, mountPath: c.queue.directory }],
      config: built.config,
    },
  };
}
