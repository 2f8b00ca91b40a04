// The Helm values and the operator resource are checked against what consumes
// them: the opentelemetry-collector chart (its values.schema.json, validated
// as Helm does after merging the chart's default values) and the operator's
// OpenTelemetryCollector v1beta1 CRD schema. Sources, versions and the
// conversions made for ajv: test/fixtures/kubernetes/README.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseDestinations, renderCollectorConfig } from '../../src/collector/index.js';
import { CHART_DEFAULT_CONFIG } from '../../src/collector/packaging.js';
import { exampleNames, renderExample, root } from './examples.js';

type Tree = Record<string, unknown>;
const fixtures = join(root, 'test', 'fixtures', 'kubernetes');
const readJson = (file: string) => JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Tree;
// The vendored chart itself (helm.test.ts runs `helm template` on it).
const chart = 'opentelemetry-collector';
const isMap = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);
// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** Each error as "<path> <reason>", the way a user would want to read it. */
function problems(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
}

/**
 * Helm's coalescing of the user's values over the chart's defaults: maps merge
 * key by key, a null deletes the key, anything else (lists too) replaces it.
 */
function helmCoalesce(defaults: Tree, values: Tree): Tree {
  const out: Tree = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    const base = out[key];
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(base)) out[key] = helmCoalesce(base, value);
    else out[key] = value;
  }
  return out;
}

/**
 * The chart passes the merged config through Helm's `tpl`. Our values may hold
 * one template action, the escape {{`{{`}} that prints "{{"; any other "{{"
 * would be run by Helm as a template.
 */
function helmTpl(value: unknown): unknown {
  if (typeof value === 'string') {
    const literals = value.split('{{`{{`}}');
    for (const literal of literals) expect(literal).not.toContain('{{');
    return literals.join('{{');
  }
  if (Array.isArray(value)) return value.map(helmTpl);
  if (!isMap(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, helmTpl(v)]));
}

// The chart's schema says "$schema": "http://json-schema.org/schema#" (no
// draft); its keywords are all draft-07, which is ajv's default.
const { $schema: _unusedDraft, ...chartSchema } = readJson(join(chart, 'values.schema.json'));
const validateChartValues = new Ajv({ allErrors: true, strict: false }).compile(chartSchema);
const chartDefaults = parse(readFileSync(join(fixtures, chart, 'values.yaml'), 'utf8')) as Tree;

/**
 * A Kubernetes structural schema as plain JSON Schema. The API server drops or,
 * with kubectl's default strict field validation, refuses fields the schema does
 * not name unless x-kubernetes-preserve-unknown-fields is set: that becomes
 * additionalProperties: false. Only subschemas are rewritten, never the names
 * under `properties` nor `default`/`enum` values.
 */
function strictFields(schema: unknown): unknown {
  if (!isMap(schema)) return schema;
  const out: Tree = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isMap(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strictFields(sub)]));
    else if (['items', 'additionalProperties', 'not'].includes(key)) out[key] = strictFields(value);
    else if (['allOf', 'anyOf', 'oneOf'].includes(key) && Array.isArray(value)) out[key] = value.map(strictFields);
    else out[key] = value;
  }
  if (isMap(out.properties) && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

function kubernetesAjv(): Ajv {
  const ajv = addFormats(new Ajv({ allErrors: true, strictTypes: false }));
  // Kubernetes extensions: list and map semantics for server-side apply, and
  // CEL rules (here only about sidecar mode), which ajv cannot evaluate.
  ajv.addVocabulary(['x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations', 'x-kubernetes-embedded-resource']);
  // Kubernetes' "duration" is a Go duration ("30s"), not ISO 8601.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  return ajv;
}

const crdSchema = strictFields(readJson('operator-v1beta1.schema.json')) as Tree;
const validateOperatorResource = kubernetesAjv().compile(crdSchema);
// The chart types extraEnvs, extraVolumeMounts and volumeClaimTemplates only as
// "object"; the API server checks them as the same core types the CRD embeds.
const specProps = (crdSchema.properties as { spec: { properties: Record<string, Tree> } }).spec.properties;
const coreTypes = kubernetesAjv();
const validateEnvVars = coreTypes.compile(specProps.env!);
const validateVolumeMounts = coreTypes.compile(specProps.volumeMounts!);
const validateClaims = coreTypes.compile(specProps.volumeClaimTemplates!);

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface HealthCheck { endpoint: string }
interface CollectorConfig {
  receivers: { otlp?: { protocols: Record<string, { endpoint: string }> }; kafka?: unknown };
  extensions: Record<string, unknown> & { health_check: HealthCheck };
  service: { extensions: string[] };
}
const portOf = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
const queueDirectories = (config: CollectorConfig) =>
  Object.entries(config.extensions).filter(([name]) => name.startsWith('file_storage')).map(([, v]) => (v as { directory: string }).directory);

describe.each(exampleNames())('example %s', (name) => {
  const config = parse(renderExample(name, 'config')) as CollectorConfig;

  it('renders Helm values the chart accepts, and the chart runs exactly the rendered config', () => {
    const values = parse(renderExample(name, 'helm')) as Tree;
    const merged = helmCoalesce(chartDefaults, values);
    expect(problems(validateChartValues, merged)).toEqual([]);
    // Deep-merged with the chart's default config, our nulls remove every default we do not use.
    expect(helmTpl(merged.config)).toEqual(config);
    // The chart refuses to render without health_check listed, and probes its port.
    expect(config.service.extensions).toContain('health_check');
    const healthPort = portOf(config.extensions.health_check.endpoint);
    expect(merged).toMatchObject({ livenessProbe: { httpGet: { port: healthPort } }, readinessProbe: { httpGet: { port: healthPort } } });
    // The pod and service expose exactly the OTLP ports the collector listens on (none for a gateway tier reading Kafka).
    const enabled = Object.values(merged.ports as Record<string, { enabled: boolean; containerPort: number }>).filter((p) => p.enabled).map((p) => p.containerPort).sort();
    expect(enabled).toEqual(Object.values(config.receivers.otlp?.protocols ?? {}).map((p) => portOf(p.endpoint)).sort());
    expect(config.receivers.otlp === undefined).toBe(config.receivers.kafka !== undefined);
    expect(merged).toMatchObject({ mode: 'statefulset', command: { name: 'otelcol-contrib' } });
    expect(problems(validateEnvVars, merged.extraEnvs)).toEqual([]);
    expect(problems(validateVolumeMounts, merged.extraVolumeMounts)).toEqual([]);
    const claims = (merged.statefulset as { volumeClaimTemplates: unknown }).volumeClaimTemplates;
    expect(problems(validateClaims, claims)).toEqual([]);
    // The persistent queue's directory is on the StatefulSet's volume claim.
    const mounts = merged.extraVolumeMounts as { name: string; mountPath: string }[];
    expect(mounts.map((m) => m.mountPath)).toEqual(expect.arrayContaining(queueDirectories(config)));
    expect((claims as { metadata: { name: string } }[]).map((c) => c.metadata.name)).toEqual(mounts.map((m) => m.name));
  });

  it('renders an OpenTelemetryCollector the v1beta1 CRD accepts, running the rendered config', () => {
    const resource = parse(renderExample(name, 'operator')) as { apiVersion: string; kind: string; metadata: { name: string }; spec: Tree };
    expect(problems(validateOperatorResource, resource)).toEqual([]);
    expect(resource.apiVersion).toBe('opentelemetry.io/v1beta1');
    expect(resource.kind).toBe('OpenTelemetryCollector');
    expect(resource.metadata.name).toMatch(dns1123Label);
    // The operator names the StatefulSet "<name>-collector"; a StatefulSet name over
    // 52 characters breaks its pods' controller-revision-hash label (63 at most).
    expect(`${resource.metadata.name}-collector`.length).toBeLessThanOrEqual(52);
    expect(resource.spec.config).toEqual(config);
    expect(resource.spec.mode).toBe('statefulset');
    const mounts = resource.spec.volumeMounts as { name: string; mountPath: string }[];
    expect(mounts.map((m) => m.mountPath)).toEqual(expect.arrayContaining(queueDirectories(config)));
    expect((resource.spec.volumeClaimTemplates as { metadata: { name: string } }[]).map((c) => c.metadata.name)).toEqual(mounts.map((m) => m.name));
  });
});

it("packaging.ts knows the chart's default config, which its nulls delete", () => {
  expect(CHART_DEFAULT_CONFIG).toEqual(chartDefaults.config);
});

it('keeps a literal "{{" in a value from being run as a Helm template', () => {
  const spec = parseDestinations('domain: acme.audit\ndestinations:\n  - name: archive\n    type: file\n    path: "/var/lib/otelcol/{{ .Release.Name }}/audit.jsonl"\n', 'braces.yaml');
  const config = parse(renderCollectorConfig(spec, { format: 'config' })) as Tree;
  const values = parse(renderCollectorConfig(spec, { format: 'helm' })) as Tree;
  expect(helmTpl(helmCoalesce(chartDefaults, values).config)).toEqual(config);
  expect(JSON.stringify(config)).toContain('/var/lib/otelcol/{{ .Release.Name }}/audit.jsonl');
});

it.each([
  ['otel/opentelemetry-collector-contrib:0.139.0', { repository: 'otel/opentelemetry-collector-contrib', tag: '0.139.0' }],
  ['registry.example.com:5000/otelcol-contrib', { repository: 'registry.example.com:5000/otelcol-contrib', tag: 'latest' }],
  ['otel/opentelemetry-collector-contrib@sha256:0123abcd', { repository: 'otel/opentelemetry-collector-contrib', digest: 'sha256:0123abcd' }],
])('splits the image %s into the chart\'s image keys, as the operator takes it whole', (image, expected) => {
  const spec = parseDestinations(`domain: acme.audit\ncollector:\n  image: "${image}"\ndestinations:\n  - name: out\n    type: debug\n`, 'image.yaml');
  const values = parse(renderCollectorConfig(spec, { format: 'helm' })) as Tree;
  expect(values.image).toEqual(expected);
  expect(problems(validateChartValues, helmCoalesce(chartDefaults, values))).toEqual([]);
  expect((parse(renderCollectorConfig(spec, { format: 'operator' })) as { spec: Tree }).spec.image).toBe(image);
});

describe('the schemas catch mistakes', () => {
  const values = () => helmCoalesce(chartDefaults, parse(renderExample('reference', 'helm')) as Tree);
  const resource = () => parse(renderExample('reference', 'operator')) as { spec: Tree };

  it('the chart refuses an unknown mode and a misspelled key, naming them', () => {
    expect(problems(validateChartValues, { ...values(), mode: 'bogus' })).toContain('/mode must be equal to one of the allowed values');
    expect(problems(validateChartValues, { ...values(), extraVolumeMount: [] })).toContain('/ must NOT have additional properties (extraVolumeMount)');
    expect(problems(validateChartValues, { ...values(), image: { repository: 'otel/opentelemetry-collector-contrib', version: '0.139.0' } })).toContain('/image must NOT have additional properties (version)');
  });

  it('the CRD refuses an unknown mode, a misspelled field and a wrong type, naming them', () => {
    const r = resource();
    expect(problems(validateOperatorResource, { ...r, spec: { ...r.spec, mode: 'bogus' } })).toContain('/spec/mode must be equal to one of the allowed values');
    expect(problems(validateOperatorResource, { ...r, spec: { ...r.spec, volumeMount: [] } })).toContain('/spec must NOT have additional properties (volumeMount)');
    expect(problems(validateOperatorResource, { ...r, spec: { ...r.spec, replicas: '1' } })).toContain('/spec/replicas must be integer');
    expect(problems(validateEnvVars, [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', keys: 'X' } } }])).toContain('/0/valueFrom/secretKeyRef must NOT have additional properties (keys)');
  });
});

describe('sizing and placement (collector.memoryLimiter, collector.queue, collector.kubernetes)', () => {
  const twoQueues = 'domain: acme.audit\ncollector:\n  memoryLimiter: { limitMiB: 1024, spikeLimitMiB: 256 }\n  queue: { size: 2000 }\ndestinations:\n  - name: a\n    type: otlp\n    endpoint: https://a.example.com:4317\n  - name: b\n    type: otlp\n    endpoint: https://b.example.com:4317\n';
  const placed = `${twoQueues.replace('  queue: { size: 2000 }\n', `  queue: { size: 2000 }
  kubernetes:
    replicas: 3
    queueStorage: 20Gi
    resources: { limits: { cpu: "2", memory: 2Gi }, requests: { cpu: 500m } }
    nodeSelector: { kubernetes.io/os: linux, pool: audit }
    tolerations: [{ key: dedicated, operator: Equal, value: audit, effect: NoSchedule }]
    affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: kubernetes.io/hostname, labelSelector: { matchLabels: { app: audit } } } }] } }
`)}`;
  const render = (yaml: string, format: 'helm' | 'operator') => parse(renderCollectorConfig(parseDestinations(yaml, 'sized.yaml'), { format })) as Tree;

  it('derives the memory limit (limitMiB + 25%) and the queue volume (queues × size × 512 records × 1 KiB + 25%) for Helm', () => {
    const values = render(twoQueues, 'helm');
    expect(problems(validateChartValues, helmCoalesce(chartDefaults, values))).toEqual([]);
    expect(values.resources).toEqual({ limits: { memory: '1280Mi' }, requests: { memory: '1280Mi' } });
    expect(values.replicaCount).toBe(1);
    // 2 × 2000 × 512 × 1024 B × 1.25 = 2.38 GiB → 3Gi
    expect(values.statefulset).toMatchObject({ volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '3Gi' } } } }] });
  });

  it('derives the same for the operator, with GOMEMLIMIT at 80% of the container limit', () => {
    const resource = render(twoQueues, 'operator') as { spec: Tree };
    expect(problems(validateOperatorResource, resource)).toEqual([]);
    expect(resource.spec.resources).toEqual({ limits: { memory: '1280Mi' }, requests: { memory: '1280Mi' } });
    expect(resource.spec.env).toContainEqual({ name: 'GOMEMLIMIT', value: '1024MiB' });
    expect(resource.spec.volumeClaimTemplates).toMatchObject([{ spec: { resources: { requests: { storage: '3Gi' } } } }]);
  });

  it('the default queue (10,000 requests) of one destination asks for 7Gi, not 1Gi', () => {
    const values = render('domain: acme.audit\ndestinations:\n  - name: a\n    type: otlp\n    endpoint: https://a.example.com:4317\n', 'helm');
    expect(values.statefulset).toMatchObject({ volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '7Gi' } } } }] });
  });

  it('takes resources, replicas, queueStorage, nodeSelector, tolerations and affinity from the file (chart schema and CRD accept them)', () => {
    const values = render(placed, 'helm');
    expect(problems(validateChartValues, helmCoalesce(chartDefaults, values))).toEqual([]);
    expect(values).toMatchObject({
      replicaCount: 3,
      resources: { limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '500m', memory: '2Gi' } },
      nodeSelector: { 'kubernetes.io/os': 'linux', pool: 'audit' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'audit', effect: 'NoSchedule' }],
      statefulset: { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '20Gi' } } } }] },
    });
    expect(values.affinity).toHaveProperty('podAntiAffinity');
    const resource = render(placed, 'operator') as { spec: Tree };
    expect(problems(validateOperatorResource, resource)).toEqual([]);
    expect(resource.spec).toMatchObject({ replicas: 3, resources: values.resources, nodeSelector: values.nodeSelector, tolerations: values.tolerations, affinity: values.affinity });
    // The file set the memory limit: GOMEMLIMIT is left to the user.
    expect((resource.spec.env as { name: string }[]).map((e) => e.name)).not.toContain('GOMEMLIMIT');
  });

  it('the destinations schema refuses a malformed quantity, an unquoted number and replicas: 0, saying what to write', () => {
    expect(() => parseDestinations(twoQueues.replace('destinations:', 'collector2: 1\ndestinations:'), 'x.yaml')).toThrow();
    expect(() => parseDestinations(`${twoQueues.replace('  queue: { size: 2000 }\n', '  queue: { size: 2000 }\n  kubernetes: { resources: { limits: { memory: 2 GB } } }\n')}`, 'x.yaml')).toThrow(/kubernetes\.resources\.limits\.memory/);
    expect(() => parseDestinations(`${twoQueues.replace('  queue: { size: 2000 }\n', '  queue: { size: 2000 }\n  kubernetes: { replicas: 0 }\n')}`, 'x.yaml')).toThrow(/kubernetes\.replicas/);
    expect(() => parseDestinations(`${twoQueues.replace('  queue: { size: 2000 }\n', '  queue: { size: 2000 }\n  kubernetes: { resources: { limits: { cpu: 2 } } }\n')}`, 'x.yaml')).toThrow(/limits\.cpu: 2 must be a Kubernetes quantity written as a string/);
  });
});
