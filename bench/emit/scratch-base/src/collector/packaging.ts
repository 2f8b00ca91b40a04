// The same collector config in Kubernetes packagings: values for the official
// opentelemetry-collector Helm chart, and an OpenTelemetryCollector resource
// for the OpenTelemetry Operator (v1beta1). Both run a StatefulSet so the
// persistent queue survives a pod restart on its volume claim.
import type { BuiltConfig } from './render.js';
import type { DestinationsSpec } from './spec.js';
import { destinationModule } from './destinations/index.js';
import { DestinationsError, type SpecIssue } from './errors.js';
import { containerMemoryMiB, goMemLimitMiB, queueVolumeGiB } from './sizing.js';
import { envReferences, isCollectorReferenceField, isDestinationReferenceField, isSecretHeaderName, isSecretName, printable } from './secrets.js';

const SECRET_NAME = 'otel-audit-secrets';
const QUEUE_VOLUME = 'audit-queue';

/** The chart's image keys: repository and tag, or repository and digest (the chart then ignores the tag). */
function imageParts(image: string): { repository: string; tag: string } | { repository: string; digest: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { repository: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? { repository: image.slice(0, colon), tag: image.slice(colon + 1) } : { repository: image, tag: 'latest' };
}

/** Each referenced env var comes from one Kubernetes Secret key of the same name. */
function secretEnv(built: BuiltConfig): Record<string, unknown>[] {
  return [...envReferences(built.config)].sort().map((name) => ({ name, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: name } } }));
}

/** Destinations (enabled) whose exporter has a persistent queue on the volume. */
function persistentQueues(built: BuiltConfig): number {
  return built.spec.destinations.filter((d) => d.enabled !== false && destinationModule(d.type)?.queue === 'persistent').length;
}

/** Each pod's queue claim: collector.kubernetes.queueStorage, or every persistent queue full (sizing.ts). */
function queueClaim(built: BuiltConfig): Record<string, unknown> {
  const storage = built.spec.collector.kubernetes.queueStorage ?? `${queueVolumeGiB(built.spec.collector, persistentQueues(built))}Gi`;
  return { metadata: { name: QUEUE_VOLUME }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } };
}

/**
 * The container's resources: what collector.kubernetes.resources sets, and
 * for memory (limit and request) memoryLimiter.limitMiB + 25% otherwise, so
 * the memory_limiter's limit fits in the container (sizing.ts).
 */
function resources(built: BuiltConfig): Record<string, Record<string, string>> {
  const given = built.spec.collector.kubernetes.resources;
  const memory = `${containerMemoryMiB(built.spec.collector)}Mi`;
  const limits = { memory, ...given.limits };
  return { limits, requests: { memory: limits.memory, ...given.requests } };
}

/** nodeSelector, tolerations and affinity, where the file sets them. */
function placement(built: BuiltConfig): Record<string, unknown> {
  const k = built.spec.collector.kubernetes;
  return {
    ...(k.nodeSelector ? { nodeSelector: k.nodeSelector } : {}),
    ...(k.tolerations ? { tolerations: k.tolerations } : {}),
    ...(k.affinity ? { affinity: k.affinity } : {}),
  };
}

type Tree = Record<string, unknown>;
const isMap = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The default `config` of the opentelemetry-collector chart (values.yaml of
 * chart 0.170.0), which Helm merges under ours. test/collector/packaging.test.ts
 * checks this copy against the real file.
 */
export const CHART_DEFAULT_CONFIG: Tree = {
  exporters: { debug: {} },
  extensions: { health_check: { endpoint: '${env:MY_POD_IP}:13133' } },
  processors: { batch: {}, memory_limiter: { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 } },
  receivers: {
    jaeger: {
      protocols: {
        grpc: { endpoint: '${env:MY_POD_IP}:14250' },
        thrift_http: { endpoint: '${env:MY_POD_IP}:14268' },
        thrift_compact: { endpoint: '${env:MY_POD_IP}:6831' },
      },
    },
    otlp: { protocols: { grpc: { endpoint: '${env:MY_POD_IP}:4317' }, http: { endpoint: '${env:MY_POD_IP}:4318' } } },
    prometheus: {
      config: {
        scrape_configs: [{ job_name: 'opentelemetry-collector', scrape_interval: '10s', static_configs: [{ targets: ['${env:MY_POD_IP}:8888'] }] }],
      },
    },
    zipkin: { endpoint: '${env:MY_POD_IP}:9411' },
  },
  service: {
    telemetry: {
      resource: {
        'k8s.namespace.name': '${env:OTEL_K8S_NAMESPACE}',
        'k8s.node.name': '${env:OTEL_K8S_NODE_NAME}',
        'k8s.node.ip': '${env:OTEL_K8S_NODE_IP}',
        'k8s.pod.name': '${env:OTEL_K8S_POD_NAME}',
        'k8s.pod.ip': '${env:OTEL_K8S_POD_IP}',
        'host.name': '${env:OTEL_K8S_NODE_NAME}',
      },
      metrics: { readers: [{ pull: { exporter: { prometheus: { host: '${env:MY_POD_IP}', port: 8888 } } } }] },
    },
    extensions: ['health_check'],
    pipelines: {
      logs: { exporters: ['debug'], processors: ['memory_limiter', 'batch'], receivers: ['otlp'] },
      metrics: { exporters: ['debug'], processors: ['memory_limiter', 'batch'], receivers: ['otlp', 'prometheus'] },
      traces: { exporters: ['debug'], processors: ['memory_limiter', 'batch'], receivers: ['otlp', 'jaeger', 'zipkin'] },
    },
  },
};

/**
 * What to merge over `defaults` so that Helm's deep merge yields exactly
 * `ours`: a null (Helm's way to delete a key) for each default key we do not
 * have, in maps at any depth. Lists and scalars replace the default anyway.
 */
function overDefaults(ours: Tree, defaults: Tree): Tree {
  const removed = Object.keys(defaults).filter((key) => !(key in ours)).map((key) => [key, null]);
  const kept = Object.entries(ours).map(([key, value]) => {
    const base = defaults[key];
    return [key, isMap(value) && isMap(base) ? overDefaults(value, base) : value];
  });
  return Object.fromEntries([...removed, ...kept]) as Tree;
}

// The chart passes the config through Helm's `tpl`, so a literal "{{" in a value
// would start a template action; {{`{{`}} prints it as is (the chart's own advice).
const TEMPLATE_OPEN = '{{';
const TEMPLATE_ESCAPE = '{{`{{`}}';

/** Applies `f` to every string in a JSON-like value. */
function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (!isMap(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
}

/**
 * Characters the Kubernetes packagings cannot carry although our YAML escapes
 * them: the chart's templates re-serialize `config` with Helm's go-yaml v2
 * (toYaml, then fromYaml), whose writer puts them into its output unescaped.
 * Its reader then refuses DEL, C1 controls, U+FFFE and U+FFFF (the chart
 * fails with "nil pointer evaluating $config.service.pipelines") and folds
 * U+0085, U+2028 and U+2029 into a space (the value changes without a word).
 * The operator re-serializes `spec.config` with go-yaml too. The loader
 * refuses them in a destinations file anyway; this is for specs built in code.
 */
const KUBERNETES_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/;

function kubernetesUnsafe(built: BuiltConfig, format: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'string') {
      const match = KUBERNETES_UNSAFE.exec(value);
      if (match) issues.push({ file: built.spec.file, path: '', message: `the collector config's ${path} holds U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which the ${format} packaging cannot carry (go-yaml in Helm and the operator writes it unescaped); --format config can` });
    } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`));
    else if (isMap(value)) {
      for (const [k, v] of Object.entries(value)) {
        const at = `${path}${path ? '.' : ''}${printable(k, 60)}`;
        if (KUBERNETES_UNSAFE.test(k)) visit(k, `key ${at}`);
        visit(v, at);
      }
    }
  };
  visit(built.config, '');
  return issues;
}

function refuseKubernetesUnsafe(built: BuiltConfig, format: string): void {
  const issues = kubernetesUnsafe(built, format);
  if (issues.length > 0) throw new DestinationsError(issues);
}

/**
 * Helm values. Helm deep-merges `config` into the chart's default config; the
 * nulls from overDefaults delete the chart's receivers, pipelines, processor
 * limits and internal telemetry we do not use, so the collector runs exactly
 * the rendered config.
 */
export function packageHelm(built: BuiltConfig): Record<string, unknown> {
  refuseKubernetesUnsafe(built, 'helm');
  const c = built.spec.collector;
  // The chart probes health_check on its default port unless told otherwise.
  const probe = { httpGet: { port: c.healthCheck.port } };
  return {
    mode: 'statefulset',
    image: imageParts(c.image),
    command: { name: 'otelcol-contrib' },
    replicaCount: c.kubernetes.replicas,
    // The chart sets GOMEMLIMIT to 80% of resources.limits.memory (its useGOMEMLIMIT, on by default).
    resources: resources(built),
    ...placement(built),
    config: overDefaults(mapStrings(built.config, (s) => s.replaceAll(TEMPLATE_OPEN, TEMPLATE_ESCAPE)) as Tree, CHART_DEFAULT_CONFIG),
    ports: {
      // A gateway tier (intake: kafka) reads Kafka and listens on no OTLP port.
      ...(c.intake === 'kafka'
        ? { otlp: { enabled: false }, 'otlp-http': { enabled: false } }
        : {
            otlp: { enabled: true, containerPort: c.receiver.grpcPort, servicePort: c.receiver.grpcPort, protocol: 'TCP', appProtocol: 'grpc' },
            'otlp-http': { enabled: true, containerPort: c.receiver.httpPort, servicePort: c.receiver.httpPort, protocol: 'TCP' },
          }),
      'jaeger-compact': { enabled: false },
      'jaeger-thrift': { enabled: false },
      'jaeger-grpc': { enabled: false },
      zipkin: { enabled: false },
    },
    livenessProbe: probe,
    readinessProbe: probe,
    extraEnvs: secretEnv(built),
    statefulset: { volumeClaimTemplates: [queueClaim(built)] },
    extraVolumeMounts: [{ name: QUEUE_VOLUME, mountPath: c.queue.directory }],
  };
}

/** The config inside Helm values as the chart would apply it (nulls removed, "{{" escapes printed). */
export function helmConfigPart(values: Record<string, unknown>): Record<string, unknown> {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, strip(v)]));
  };
  return mapStrings(strip(values.config), (s) => s.replaceAll(TEMPLATE_ESCAPE, TEMPLATE_OPEN)) as Record<string, unknown>;
}

export function packageOperator(built: BuiltConfig): Record<string, unknown> {
  refuseKubernetesUnsafe(built, 'operator');
  const c = built.spec.collector;
  // A DNS-1123 label. The operator names the StatefulSet "<name>-collector", and a
  // StatefulSet name over 52 characters breaks its pods' controller-revision-hash label.
  const slug = built.spec.domain.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const name = `otel-audit-${slug}`.slice(0, 52 - '-collector'.length).replace(/-+$/, '');
  return {
    apiVersion: 'opentelemetry.io/v1beta1',
    kind: 'OpenTelemetryCollector',
    metadata: { name },
    spec: {
      mode: 'statefulset',
      replicas: c.kubernetes.replicas,
      image: c.image,
      resources: resources(built),
      ...placement(built),
      // The Go runtime's soft limit at 80% of the derived container limit (as the Helm chart sets it);
      // left to the user when the file sets resources.limits.memory.
      env: [...secretEnv(built), ...(c.kubernetes.resources.limits.memory ? [] : [{ name: 'GOMEMLIMIT', value: `${goMemLimitMiB(c)}MiB` }])],
      volumeClaimTemplates: [queueClaim(built)],
      volumeMounts: [{ name: QUEUE_VOLUME, mountPath: c.queue.directory }],
      config: built.config,
    },
  };
}

function isLoopback(bind: string): boolean {
  return bind === 'localhost' || bind === '::1' || bind.startsWith('127.');
}

/** The credentials a destination sends (field paths), by the same names the loader checks. */
function credentialsOf(d: Record<string, unknown>, secretFields: readonly string[]): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(d)) {
    if (typeof value === 'string' && (isSecretName(key) || secretFields.includes(key))) found.push(key);
    if (key === 'headers' && typeof value === 'object' && value !== null) {
      for (const name of Object.keys(value)) if (isSecretHeaderName(name)) found.push(`headers.${name}`);
    }
  }
  return found;
}

/**
 * Credentials that would travel where anyone on the path can read or take
 * them: to an http:// endpoint, over gRPC with `insecure: true`, or over TLS
 * without checking the server's certificate (`tls.insecureSkipVerify: true`).
 */
function transportWarnings(spec: DestinationsSpec): string[] {
  const warnings: string[] = [];
  spec.destinations.forEach((d, i) => {
    const record = d as unknown as Record<string, unknown>;
    const credentials = credentialsOf(record, destinationModule(d.type)?.secretFields ?? []);
    if (credentials.length === 0 || d.enabled === false) return;
    const what = `its credentials (${credentials.join(', ')})`;
    const where = `${spec.file}: destinations[${i}]`;
    if (typeof d.endpoint === 'string' && /^http:\/\//i.test(d.endpoint.trim())) warnings.push(`${where}.endpoint: sends ${what} over plain http://, readable by anyone on the network path; use https://`);
    if (record.insecure === true) warnings.push(`${where}.insecure: sends ${what} without TLS (insecure: true), readable by anyone on the network path`);
    if ((record.tls as { insecureSkipVerify?: unknown } | undefined)?.insecureSkipVerify === true) warnings.push(`${where}.tls.insecureSkipVerify: sends ${what} without checking the server's certificate, so anyone on the network path can take them`);
  });
  return warnings;
}

/** `${…}` written where the collector is not told to expand it: rendered as the literal text (a mistaken reference?). */
function literalReferenceWarnings(spec: DestinationsSpec): string[] {
  const warnings: string[] = [];
  const visit = (value: unknown, path: (string | number)[], isReference: (p: (string | number)[]) => boolean, prefix: string) => {
    if (typeof value === 'string') {
      if (value.includes('${') && !isReference(path)) {
        const at = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
        warnings.push(`${spec.file}: ${prefix}${at}: ${printable(value, 60)} is written as it is: \${…} is expanded only in endpoints, credentials, usernames and ids, headers and paths (docs/collector.md, "Limits and what is refused")`);
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i], isReference, prefix));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, [...path, k], isReference, prefix);
  };
  visit(spec.collector, [], isCollectorReferenceField, 'collector');
  spec.destinations.forEach((d, i) => visit(d, [], (p) => isDestinationReferenceField(p, destinationModule(d.type)?.secretFields), `destinations[${i}]`));
  return warnings;
}

/**
 * What the CLI prints on stderr before it writes a rendering: credentials
 * sent without TLS (every format), `${…}` that will not be expanded (every
 * format), and for the Kubernetes packagings a receiver or health check bound
 * to loopback, unreachable from the Service and the probes.
 */
export function packagingWarnings(spec: DestinationsSpec, format: 'config' | 'helm' | 'operator'): string[] {
  const warnings = [...transportWarnings(spec), ...literalReferenceWarnings(spec)];
  if (format === 'config') return warnings;
  const c = spec.collector;
  if (c.intake !== 'kafka' && isLoopback(c.receiver.bind)) warnings.push(`${spec.file}: collector.receiver.bind: "${c.receiver.bind}" is a loopback address; in Kubernetes no Service reaches it (use 0.0.0.0)`);
  if (isLoopback(c.healthCheck.bind)) warnings.push(`${spec.file}: collector.healthCheck.bind: "${c.healthCheck.bind}" is a loopback address; the kubelet's probes cannot reach it (use 0.0.0.0)`);
  return warnings;
}
