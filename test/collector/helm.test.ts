// The real `helm template` of the vendored opentelemetry-collector chart
// (test/fixtures/kubernetes/opentelemetry-collector, chart 0.170.0) on the
// `--format helm` values of every example: Helm merges the values over the
// chart's defaults, applies the chart's values.schema.json and runs the
// templates. The collector config the ConfigMap carries must be the
// `--format config` output, the StatefulSet must run it with the queue on its
// volume claim and the secrets from the Secret, and the collector itself must
// accept it. Helm comes from `npm run provision` (src/tools/helm-build.ts).
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseDestinations, renderCollectorConfig, validateConfigWithCollector } from '../../src/collector/index.js';
import { envReferences } from '../../src/collector/secrets.js';
import { ToolUnavailableError } from '../../src/tools/errors.js';
import { findHelmBinary, HELM_VERSION, helmBuildBinary, provisionHelm } from '../../src/tools/helm-build.js';
import { run } from '../../src/tools/run.js';
import { collectorBinary } from '../harness/collector.js';
import { exampleNames, renderExample, root } from './examples.js';

const chartDir = join(root, 'test', 'fixtures', 'kubernetes', 'opentelemetry-collector');
const SECRET_NAME = 'otel-audit-secrets';

interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: unknown;
}
interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: unknown } }
interface Probe { httpGet?: { port: number | string; path?: string } }
interface Container { name: string; args?: string[]; env?: EnvVar[]; volumeMounts?: { name: string; mountPath: string }[]; livenessProbe?: Probe; readinessProbe?: Probe }
interface StatefulSetSpec {
  template: { spec: { containers: Container[]; volumes?: { name: string; configMap?: { name: string } }[] } };
  volumeClaimTemplates?: { metadata: { name: string } }[];
}
interface CollectorConfig {
  extensions: Record<string, { endpoint?: string; path?: string; directory?: string }>;
}

/** Runs `helm template audit <chart> -f <values>`; the values file is written to a scratch folder. */
async function helmTemplate(values: string): Promise<{ code: number | null; output: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-audit-helm-'));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, values);
  const result = await run(findHelmBinary(), ['template', 'audit', chartDir, '-f', file], { env: { ...process.env, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') } });
  return { code: result.code, output: result.stdout, stderr: result.stderr };
}

function manifests(output: string): Manifest[] {
  return parseAllDocuments(output)
    .map((doc) => {
      expect(doc.errors, `helm template printed invalid YAML: ${doc.errors.join('; ')}`).toEqual([]);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

const portOf = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

describe('helm template of the opentelemetry-collector chart 0.170.0', () => {
  it.each(exampleNames())('runs collector/examples/%s.yaml as rendered with --format config', async (name) => {
    const result = await helmTemplate(renderExample(name, 'helm'));
    expect(result.code, result.stderr).toBe(0);
    const docs = manifests(result.output);

    // The ConfigMap's `relay` key is the config the collector runs.
    const configMaps = docs.filter((d) => d.kind === 'ConfigMap' && d.data?.relay !== undefined);
    expect(configMaps.map((d) => d.metadata.name)).toEqual(['audit-opentelemetry-collector-statefulset']);
    const configMap = configMaps[0]!;
    const relay = parse(configMap.data!.relay!) as CollectorConfig;
    expect(relay).toEqual(parse(renderExample(name, 'config')));

    // One StatefulSet, whose pod mounts that ConfigMap and reads it as its config.
    const statefulSets = docs.filter((d) => d.kind === 'StatefulSet');
    expect(statefulSets).toHaveLength(1);
    expect(docs.filter((d) => d.kind === 'Deployment' || d.kind === 'DaemonSet')).toEqual([]);
    const spec = statefulSets[0]!.spec as StatefulSetSpec;
    const pod = spec.template.spec;
    expect(pod.containers).toHaveLength(1);
    const container = pod.containers[0]!;
    const configVolume = pod.volumes?.find((v) => v.configMap?.name === configMap.metadata.name);
    expect(configVolume, 'a pod volume from the ConfigMap').toBeDefined();
    const configMount = container.volumeMounts?.find((m) => m.name === configVolume!.name);
    expect(container.args).toContain(`--config=${configMount!.mountPath}/relay.yaml`);

    // The persistent queue's directory is on the StatefulSet's volume claim
    // (the debug and file examples queue nothing).
    const claims = (spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name);
    const queueDirs = Object.entries(relay.extensions).filter(([id]) => id.startsWith('file_storage')).map(([, e]) => e.directory!);
    expect(queueDirs.length).toBe(['debug', 'file'].includes(name) ? 0 : 1);
    for (const dir of queueDirs) {
      const mount = container.volumeMounts?.find((m) => dir === m.mountPath || dir.startsWith(`${m.mountPath}/`));
      expect(mount, `a volume mount holding ${dir}`).toBeDefined();
      expect(claims).toContain(mount!.name);
    }

    // Every environment variable the config reads comes from the Secret, under its own name, once.
    const env = container.env ?? [];
    const envNames = env.map((e) => e.name);
    expect(new Set(envNames).size, `duplicate env vars: ${envNames.join(', ')}`).toBe(envNames.length);
    for (const ref of envReferences(relay)) {
      expect(env.find((e) => e.name === ref)?.valueFrom?.secretKeyRef, `env ${ref}`).toEqual({ name: SECRET_NAME, key: ref });
    }

    // The kubelet probes health_check where it listens.
    const health = relay.extensions.health_check!;
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(probe?.httpGet?.port).toBe(portOf(health.endpoint!));
      expect(probe?.httpGet?.path).toBe(health.path ?? '/');
    }

    // And the collector accepts the ConfigMap's config (placeholders for the secrets).
    const validation = await validateConfigWithCollector(relay, new Map(), { binary: collectorBinary() });
    expect(validation.ok, validation.output).toBe(true);
  });

  it('prints a literal "{{" in a value as is, not as a template action', async () => {
    const spec = parseDestinations('domain: acme.audit\ndestinations:\n  - name: archive\n    type: file\n    path: "/var/lib/otelcol/{{ .Release.Name }}/audit.jsonl"\n', 'braces.yaml');
    const result = await helmTemplate(renderCollectorConfig(spec, { format: 'helm' }));
    expect(result.code, result.stderr).toBe(0);
    const configMap = manifests(result.output).find((d) => d.kind === 'ConfigMap' && d.data?.relay !== undefined);
    const relay = parse(configMap!.data!.relay!) as unknown;
    expect(relay).toEqual(parse(renderCollectorConfig(spec, { format: 'config' })));
    expect(JSON.stringify(relay)).toContain('/var/lib/otelcol/{{ .Release.Name }}/audit.jsonl');
  });

  it("refuses values the chart's schema does not allow, naming the key", async () => {
    const values = renderExample('reference', 'helm').replace(/^mode: statefulset$/m, 'mode: bogus');
    expect(values).toMatch(/^mode: bogus$/m);
    const result = await helmTemplate(values);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    expect(result.stderr).toMatch(/'\/mode': value must be one of 'daemonset', 'deployment', 'statefulset'/);
  });
});

describe('Helm provisioning', () => {
  const scratch = () => mkdtempSync(join(tmpdir(), 'otel-audit-helm-tools-'));

  it('keys the cached build by the pinned version, and reuses it', async () => {
    const env = { ...process.env, OTEL_AUDIT_CACHE: scratch(), HELM_BIN: '' };
    const binary = helmBuildBinary(env);
    expect(binary).toBe(join(env.OTEL_AUDIT_CACHE, 'helm', HELM_VERSION, 'helm'));
    expect(HELM_VERSION).toMatch(/^v3\.\d+\.\d+$/);
    mkdirSync(dirname(binary), { recursive: true });
    writeFileSync(binary, '#!/bin/sh\necho cached\n');
    chmodSync(binary, 0o755);
    const lines: string[] = [];
    await expect(provisionHelm({ env, log: (l) => lines.push(l) })).resolves.toBe(binary);
    expect(lines.join('\n')).toMatch(/reusing cached build/);
    expect(findHelmBinary(env)).toBe(binary);
  });

  it('fails with how to get it when there is no build, and with how to get Go when Go is missing', async () => {
    const env = { OTEL_AUDIT_CACHE: scratch(), PATH: scratch(), HOME: scratch() };
    expect(() => findHelmBinary(env)).toThrow(ToolUnavailableError);
    expect(() => findHelmBinary(env)).toThrow(/Helm is not available: no executable at .*\nHow to fix: run `npm run provision`.*HELM_BIN/s);
    const attempt = provisionHelm({ env, log: () => undefined });
    await expect(attempt).rejects.toBeInstanceOf(ToolUnavailableError);
    await expect(attempt).rejects.toThrow(/install Go 1\.24 or newer.*HELM_BIN/s);
  });

  it('refuses a HELM_BIN that is not executable', async () => {
    const env = { OTEL_AUDIT_CACHE: scratch(), HELM_BIN: '/nonexistent/helm' };
    await expect(provisionHelm({ env, log: () => undefined })).rejects.toThrow(/HELM_BIN=\/nonexistent\/helm is not an executable/);
  });
});
