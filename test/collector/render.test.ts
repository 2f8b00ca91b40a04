// What the renderer writes, without running the collector: the checked-in
// renderings are current, the manifest has every component the renderer can
// emit, and the contract (not a copy of it) drives filtering and redaction.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { buildCollectorConfig, packagingWarnings, parseDestinations, renderCollectorConfig, type CollectorConfig } from '../../src/collector/index.js';
import { destinationModules } from '../../src/collector/destinations/index.js';
import { helmConfigPart } from '../../src/collector/packaging.js';
import { withDefaults } from '../../src/collector/spec.js';
import { globToRegex } from '../../src/collector/ottl.js';
import { collectorContract } from '../../src/collector/contract.js';
import { buildProgram } from '../../src/cli/program.js';
import { docExample, docPath, exampleBlock, exampleNames, goldenPath, referenceConfigPath, renderExample, root } from './examples.js';

const REGENERATE = 'run `npx tsx test/collector/regenerate.ts` after a deliberate renderer change';
const contract = JSON.parse(readFileSync(join(root, 'schemas', 'contract.json'), 'utf8')) as {
  fields: { field: string; attribute?: string }[];
  sensitive: { attributePattern: string; replacement: string; emitterMark: { attribute: string; value: string } };
};
const attributeOf = (field: string) => contract.fields.find((f) => f.field === field)!.attribute!;

describe('checked-in renderings', () => {
  it('has an example for every destination type, a multi-tenant one and reference.yaml', () => {
    const names = exampleNames();
    for (const type of Object.keys(destinationModules)) expect(names).toContain(type);
    expect(names).toEqual(expect.arrayContaining(['multi-tenant', 'reference']));
  });

  it.each(exampleNames())('collector/golden/%s.yaml is the current rendering', (name) => {
    expect(existsSync(goldenPath(name)), REGENERATE).toBe(true);
    expect(readFileSync(goldenPath(name), 'utf8'), REGENERATE).toBe(renderExample(name));
  });

  it('collector/config.yaml is rendered from collector/examples/reference.yaml', () => {
    expect(readFileSync(referenceConfigPath, 'utf8'), REGENERATE).toBe(renderExample('reference'));
  });

  it.each(Object.keys(destinationModules))('docs/destinations/%s.md shows the current rendering of its example', (type) => {
    const block = docExample(readFileSync(docPath(type), 'utf8'));
    expect(block, `docs/destinations/${type}.md needs a rendered-example block`).toBeDefined();
    expect(block, REGENERATE).toBe(exampleBlock(renderExample(type)));
  });
});

/** Every spec shape the renderer knows: all examples plus the auth variants they do not use. */
function everything(): CollectorConfig[] {
  const configs = exampleNames().map((name) => parse(renderExample(name)) as CollectorConfig);
  const variants = withDefaults({
    domain: 'acme.audit',
    destinations: [
      { name: 'basic', type: 'otlp', endpoint: 'https://x', username: '${env:U}', password: '${env:P}' },
      { name: 'sp', type: 'sentinel', endpoint: 'https://dce', dcrImmutableId: 'dcr-00000000000000000000000000000000', identity: 'servicePrincipal', clientId: 'c', tenantId: 't', clientSecret: '${env:S}' },
      { name: 'wl', type: 'sentinel', endpoint: 'https://dce', dcrImmutableId: 'dcr-00000000000000000000000000000000', identity: 'workload', clientId: 'c', tenantId: 't' },
      { name: 'os-open', type: 'opensearch', endpoint: 'https://os:9200' },
    ],
  });
  return [...configs, buildCollectorConfig(variants).config];
}

describe('collector/builder-config.yaml', () => {
  const manifest = parse(readFileSync(join(root, 'collector', 'builder-config.yaml'), 'utf8')) as Record<string, { gomod: string }[]>;
  /** `.../exporter/splunkhecexporter v0.139.0` → `splunkhec`; a component type `splunk_hec` → `splunkhec`. */
  const moduleKey = (gomod: string, kind: string) => gomod.split(' ')[0]!.split('/').pop()!.replace(new RegExp(`${kind}$`), '');
  const typeKey = (id: string) => id.split('/')[0]!.replace(/_/g, '');

  it('holds every component the renderer can emit', () => {
    const sections = { receivers: 'receiver', processors: 'processor', connectors: 'connector', exporters: 'exporter', extensions: 'extension' } as const;
    const missing: string[] = [];
    for (const config of everything()) {
      for (const [section, kind] of Object.entries(sections)) {
        const available = new Set((manifest[section] ?? []).map((m) => moduleKey(m.gomod, kind)));
        for (const id of Object.keys((config[section] ?? {}))) {
          if (!available.has(typeKey(id))) missing.push(`${section}: ${id}`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});

describe('the rendered config', () => {
  const spec = parseDestinations(readFileSync(join(root, 'collector', 'examples', 'multi-tenant.yaml'), 'utf8'), 'multi-tenant.yaml');
  const { config, owners } = buildCollectorConfig(spec);

  it('filters on the contract domain attribute and redacts with the contract pattern', () => {
    const processors = config.processors as Record<string, Record<string, unknown>>;
    expect(JSON.stringify(processors['filter/audit-domain'])).toContain(JSON.stringify(`attributes["${attributeOf('domain')}"] != "acme.audit"`).slice(1, -1));
    const redaction = processors['redaction/audit-sensitive']!;
    const masks = (key: string) => (redaction.blocked_key_patterns as string[]).some((p) => new RegExp(p).test(key));
    for (const key of ['audit.data.password', 'audit.data.nested.apiToken', 'client_secret', 'Cookie']) {
      expect(masks(key), key).toBe(true);
      expect(new RegExp(contract.sensitive.attributePattern).test(key.includes('.') ? key : `audit.data.${key}`), key).toBe(true);
    }
    expect(masks('audit.data.tokenCount')).toBe(false);
    expect(redaction.allow_all_keys).toBe(true);
  });

  it('runs memory_limiter first in the intake pipeline and fans out to one pipeline per enabled destination', () => {
    const pipelines = config.service.pipelines;
    const destinations = ['logs/tenant-globex', 'logs/tenant-initech', 'logs/secops'];
    expect(Object.keys(pipelines)).toEqual(['logs', 'logs/redact', ...destinations]);
    expect(pipelines.logs).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'filter/audit-domain'], exporters: ['routing/audit-redaction'] });
    const fanout = (config.connectors?.['routing/audit-fanout'] as { table: { pipelines: string[] }[] }).table;
    expect(fanout).toEqual([{ context: 'resource', condition: 'true', pipelines: destinations }]);
    for (const id of ['tenant-globex', 'tenant-initech', 'secops']) {
      expect(pipelines[`logs/${id}`]).toMatchObject({ receivers: ['routing/audit-redaction', 'routing/audit-fanout'], processors: [`filter/route-${id}`] });
    }
    expect(owners.get('splunk_hec/tenant-globex')).toBe('tenant-globex');
    expect(owners.get('basicauth/secops')).toBe('secops');
  });

  it('sends records without the emitter\'s mark through redaction, and the marked ones straight on', () => {
    const { attribute, value } = contract.sensitive.emitterMark;
    expect(config.connectors?.['routing/audit-redaction']).toEqual({
      table: [{ context: 'log', condition: `attributes["${attribute}"] != "${value}"`, pipelines: ['logs/redact'] }],
      default_pipelines: ['logs/tenant-globex', 'logs/tenant-initech', 'logs/secops'],
    });
    expect(config.service.pipelines['logs/redact']).toEqual({ receivers: ['routing/audit-redaction'], processors: ['redaction/audit-sensitive'], exporters: ['routing/audit-fanout'] });
  });

  it('redacts every record in the intake pipeline with trustEmitter: false', () => {
    const untrusting = buildCollectorConfig({ ...spec, collector: { ...spec.collector, redaction: { ...spec.collector.redaction, trustEmitter: false } } }).config;
    expect(untrusting.service.pipelines.logs).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'filter/audit-domain', 'redaction/audit-sensitive'], exporters: ['routing/audit-fanout'] });
    expect(untrusting.connectors).not.toHaveProperty(['routing/audit-redaction']);
    expect(untrusting.service.pipelines).not.toHaveProperty(['logs/redact']);
  });

  it('declares every extension it uses and lists it in service.extensions', () => {
    expect([...config.service.extensions].sort()).toEqual(Object.keys(config.extensions).sort());
    const exporters = config.exporters as Record<string, { sending_queue?: { storage: string }; http?: { auth?: { authenticator: string } } }>;
    for (const exporter of Object.values(exporters)) {
      if (exporter.sending_queue) expect(config.extensions).toHaveProperty([exporter.sending_queue.storage]);
      if (exporter.http?.auth) expect(config.extensions).toHaveProperty([exporter.http.auth.authenticator]);
    }
    expect(config.extensions['file_storage/audit-queue']).toMatchObject({ create_directory: true });
  });

  it('leaves a disabled destination out and says so in the rendered file', () => {
    const yaml = renderCollectorConfig(spec);
    expect(yaml).toMatch(/^# Destination "tenant-umbrella" \(splunk_hec\) is disabled \(enabled: false\)/m);
    expect(yaml).not.toContain('splunk_hec/tenant-umbrella');
  });

  it('renders the same config inside Helm values and an OpenTelemetryCollector resource', () => {
    const helm = parse(renderCollectorConfig(spec, { format: 'helm' })) as { mode: string; image: { repository: string; tag: string }; config: CollectorConfig; extraEnvs: { name: string }[] };
    expect(helm.image).toEqual({ repository: 'otel/opentelemetry-collector-contrib', tag: '0.139.0' });
    // The chart's own defaults we do not use are deleted with nulls; the rest is our config.
    expect(helm.config.exporters).toMatchObject({ debug: null });
    expect(helmConfigPart(helm)).toMatchObject(JSON.parse(JSON.stringify(config)) as Record<string, unknown>);
    expect(helm.extraEnvs.map((e) => e.name)).toEqual(['GLOBEX_HEC_TOKEN', 'INITECH_HEC_TOKEN', 'SECOPS_PASSWORD', 'SECOPS_USER']);
    const operator = parse(renderCollectorConfig(spec, { format: 'operator' })) as { apiVersion: string; kind: string; spec: { config: CollectorConfig } };
    expect(operator.apiVersion).toBe('opentelemetry.io/v1beta1');
    expect(operator.kind).toBe('OpenTelemetryCollector');
    expect(operator.spec.config).toEqual(JSON.parse(JSON.stringify(config)));
  });

  it('turns event globs into anchored patterns', () => {
    const re = new RegExp(`^(?:${globToRegex('repo.*')})$`);
    expect(re.test('repo.fork')).toBe(true);
    expect(re.test('repo.settings.update')).toBe(true);
    expect(re.test('repository.fork')).toBe(false);
    expect(new RegExp(`^${globToRegex('auth.login.?ailed')}$`).test('auth.login.failed')).toBe(true);
  });
});

describe('collector.redaction.body', () => {
  const spec = (body?: boolean) => withDefaults({ domain: 'acme.audit', collector: body === undefined ? {} : { redaction: { body } }, destinations: [{ name: 'a', type: 'debug' }] });
  const patterns = (body?: boolean) => (buildCollectorConfig(spec(body)).config.processors['redaction/audit-sensitive'] as { blocked_key_patterns: string[] }).blocked_key_patterns;

  it('masks body keys by default and only audit.data.* attributes when switched off', () => {
    expect(patterns()).toEqual(collectorContract().sensitiveSuffixPatterns);
    expect(patterns().some((p) => new RegExp(p).test('apiToken'))).toBe(true);
    expect(patterns(false)).toEqual([contract.sensitive.attributePattern]);
  });

  it('never lets a sensitive name into the ignored keys', () => {
    const redaction = buildCollectorConfig(spec()).config.processors['redaction/audit-sensitive'] as { ignored_keys: string[]; blocked_key_patterns: string[] };
    expect(redaction.ignored_keys).toContain(attributeOf('name'));
    for (const key of redaction.ignored_keys) for (const p of redaction.blocked_key_patterns) expect(new RegExp(p).test(key)).toBe(false);
  });
});

describe('otel-audit collector render', () => {
  it.each(['config', 'helm', 'operator'] as const)('writes --format %s to -o', async (format) => {
    const out = join(mkdtempSync(join(tmpdir(), 'otel-audit-render-')), 'out.yaml');
    const file = join('collector', 'examples', 'multi-tenant.yaml');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      await buildProgram().parseAsync(['node', 'otel-audit', 'collector', 'render', '-f', file, '-o', out, '--format', format]);
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(out, 'utf8')).toBe(renderCollectorConfig(parseDestinations(readFileSync(join(root, file), 'utf8'), file), { format }));
  });
});

describe('helm and operator output with a loopback bind', () => {
  const yaml = 'domain: acme.audit\ncollector:\n  receiver: { bind: 127.0.0.1 }\ndestinations:\n  - name: d\n    type: debug\n';

  it('warns that nothing in the cluster can reach it, naming the file and the key', () => {
    const spec = parseDestinations(yaml, 'local.yaml');
    expect(packagingWarnings(spec, 'config')).toEqual([]);
    expect(packagingWarnings(spec, 'helm')).toEqual(['local.yaml: collector.receiver.bind: "127.0.0.1" is a loopback address; in Kubernetes no Service reaches it (use 0.0.0.0)']);
  });

  it('prints the warning on stderr and still writes the output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-render-'));
    writeFileSync(join(dir, 'local.yaml'), yaml);
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      await buildProgram().parseAsync(['node', 'otel-audit', 'collector', 'render', '-f', join(dir, 'local.yaml'), '-o', join(dir, 'values.yaml'), '--format', 'helm']);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([expect.stringMatching(/^warning: .*local\.yaml: collector\.receiver\.bind: "127\.0\.0\.1" is a loopback address/)]);
    expect(existsSync(join(dir, 'values.yaml'))).toBe(true);
  });
});

describe('a file whose destinations are all paused', () => {
  it('is refused with the file and the reason', () => {
    const spec = parseDestinations('domain: acme.audit\ndestinations:\n  - name: a\n    type: debug\n    enabled: false\n', 'paused.yaml');
    expect(() => renderCollectorConfig(spec)).toThrow('paused.yaml: destinations: every destination is disabled (enabled: false); a collector needs at least one');
  });
});

describe('a single destination', () => {
  const splunk = { name: 'splunk', type: 'splunk_hec' as const, endpoint: 'https://s:8088', token: '${env:T}', events: ['repo.*'] };

  it('still splits on the emitter\'s mark, so marked records skip redaction', () => {
    const { config } = buildCollectorConfig(withDefaults({ domain: 'acme.audit', destinations: [splunk] }));
    expect(config.service.pipelines['logs/splunk']).toEqual({ receivers: ['routing/audit-redaction', 'routing/audit-fanout'], processors: ['filter/route-splunk'], exporters: ['splunk_hec/splunk'] });
  });

  it('gets one pipeline doing everything, without connectors, when every record is redacted', () => {
    const { config } = buildCollectorConfig(withDefaults({ domain: 'acme.audit', collector: { redaction: { trustEmitter: false } }, destinations: [splunk] }));
    expect(config.connectors).toBeUndefined();
    expect(config.service.pipelines).toEqual({
      'logs/splunk': { receivers: ['otlp'], processors: ['memory_limiter', 'filter/audit-domain', 'redaction/audit-sensitive', 'filter/route-splunk'], exporters: ['splunk_hec/splunk'] },
    });
  });
});
