// Characters the collector's YAML parser takes for a line break (U+0085,
// U+2028, U+2029) or refuses (C0/C1 controls, DEL, U+FEFF, U+FFFE/U+FFFF):
// a destinations file holding one is refused, naming the field; a spec built
// in code is rendered with them escaped, so the real collector's `validate`
// accepts the config, the Helm values (through the real `helm template`) and
// the operator resource. A lone surrogate cannot be written in YAML at all.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildCollectorConfig, DestinationsError, parseDestinations, renderCollectorConfig, validateConfigWithCollector, validateWithCollector } from '../../src/collector/index.js';
import { helmConfigPart } from '../../src/collector/packaging.js';
import { withDefaults } from '../../src/collector/spec.js';
import { findHelmBinary } from '../../src/tools/helm-build.js';
import { run } from '../../src/tools/run.js';
import { collectorBinary } from '../harness/collector.js';
import { root } from './examples.js';

const CHARACTERS: [string, string][] = [
  ['U+2028', '\u2028'],
  ['U+2029', '\u2029'],
  ['DEL', '\u007f'],
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['ESC', '\u001b'],
  ['CR', '\r'],
  ['LF', '\n'],
  ['TAB', '\t'],
  ['U+0085 (NEL)', '\u0085'],
  ['U+009F', '\u009f'],
  ['U+FEFF', '\ufeff'],
  ['U+FFFE', '\ufffe'],
];

const expectRefused = (text: string, path: string, what: string) => {
  try {
    parseDestinations(text, 'audit-collector.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(DestinationsError);
    const issue = (error as DestinationsError).issues.find((i) => i.path === path);
    expect(issue?.message, (error as Error).message).toMatch(new RegExp(`^${what} contains U\\+[0-9A-F]{4} \\(.*\\) at character \\d+; control characters, line and paragraph separators and lone surrogates are not allowed`));
    // The message itself is printable.
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect((error as Error).message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe]/);
    return;
  }
  throw new Error('expected the file to be refused');
};

/** YAML double-quoted escapes of a character, so the file can carry it. */
const yamlEscape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

describe('a destinations file with control characters', () => {
  it.each(CHARACTERS)('refuses %s in a value, naming the field', (_, ch) => {
    expectRefused(`domain: acme.audit\ndestinations:\n  - name: t\n    type: file\n    path: /tmp/a.jsonl\n    organizations: ["acme${yamlEscape(ch)}evil"]\n`, 'destinations[0].organizations[0]', 'the value');
  });

  it.each(CHARACTERS)('refuses %s in a key', (_, ch) => {
    expectRefused(`domain: acme.audit\ndestinations:\n  - name: v\n    type: otlp\n    endpoint: https://x\n    headers: { "x-a${yamlEscape(ch)}b": "1" }\n`, `destinations[0].headers["x-a${JSON.stringify(ch).slice(1, -1).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}b"]`, 'the key');
  });

  it('refuses raw (unescaped) separators and DEL as well as lone surrogates', () => {
    expectRefused('domain: acme.audit\ndestinations:\n  - name: t\n    type: file\n    path: /tmp/a\u2028b\n', 'destinations[0].path', 'the value');
    expectRefused('domain: acme.audit\ndestinations:\n  - name: t\n    type: file\n    path: "/tmp/a\u007fb"\n', 'destinations[0].path', 'the value');
    expectRefused('domain: acme.audit\ndestinations:\n  - name: t\n    type: file\n    path: "/tmp/a\\ud800b"\n', 'destinations[0].path', 'the value');
  });
});

/** What Helm's own go-yaml round trip in the chart's templates (and the operator's) cannot carry. */
const KUBERNETES_UNSAFE = new Set(['\u007f', '\u0085', '\u009f', '\u2028', '\u2029', '\ufffe']);

/** One spec (built in code, as a library user may) with the characters in values and a header name. */
function specWithCharacters(characters = CHARACTERS) {
  const all = characters.map(([, ch]) => ch).join('');
  return withDefaults({
    domain: 'acme.audit',
    destinations: [
      { name: 'tenant', type: 'splunk_hec', endpoint: 'https://splunk:8088', token: '${env:T}', index: `idx${all}`, organizations: characters.map(([name, ch]) => `org-${name}${ch}end`), events: [`repo.${all}*`] },
      { name: 'vendor', type: 'otlp', endpoint: 'https://x', headers: { [`x-h${all}`]: `v${all}` } },
      { name: 'archive', type: 'file', path: `/tmp/otel-audit-${all}.jsonl` },
    ],
  }, `odd${all}name.yaml`);
}

describe('a spec with control characters, rendered', () => {
  const spec = specWithCharacters();
  const kubernetesSpec = specWithCharacters(CHARACTERS.filter(([, ch]) => !KUBERNETES_UNSAFE.has(ch)));

  it('reads back as the same values, with nothing added by a line break (including in the header comment)', () => {
    const config = JSON.parse(JSON.stringify(buildCollectorConfig(spec).config)) as unknown;
    expect(parse(renderCollectorConfig(spec))).toEqual(config);
    const kubernetesConfig = JSON.parse(JSON.stringify(buildCollectorConfig(kubernetesSpec).config)) as unknown;
    expect((parse(renderCollectorConfig(kubernetesSpec, { format: 'operator' })) as { spec: { config: unknown } }).spec.config).toEqual(kubernetesConfig);
    expect(helmConfigPart(parse(renderCollectorConfig(kubernetesSpec, { format: 'helm' })) as Record<string, unknown>)).toEqual(kubernetesConfig);
    for (const [format, s] of [['config', spec], ['helm', kubernetesSpec], ['operator', kubernetesSpec]] as const) {
      const text = renderCollectorConfig(s, { format });
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(text, format).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe]/);
    }
  });

  it('passes the real collector\'s validate as config, inside the Helm values and in the operator resource', async () => {
    const binary = collectorBinary();
    const config = await validateWithCollector(spec, { binary });
    expect(config.ok, config.output).toBe(true);
    const helm = await validateConfigWithCollector(helmConfigPart(parse(renderCollectorConfig(kubernetesSpec, { format: 'helm' })) as Record<string, unknown>), new Map(), { binary });
    expect(helm.ok, helm.output).toBe(true);
    const operator = await validateConfigWithCollector((parse(renderCollectorConfig(kubernetesSpec, { format: 'operator' })) as { spec: { config: unknown } }).spec.config, new Map(), { binary });
    expect(operator.ok, operator.output).toBe(true);
  });

  it('refuses, for Helm and the operator, what their go-yaml round trip cannot carry, naming the config path', () => {
    const separator = withDefaults({ domain: 'acme.audit', destinations: [{ name: 'a', type: 'otlp', endpoint: 'https://x', headers: { 'x-h': 'v\u2028w' } }] });
    expect(() => renderCollectorConfig(separator, { format: 'helm' })).toThrow(`the collector config's "exporters"."otlphttp/a"."headers"."x-h" holds U+2028, which the helm packaging cannot carry`);
    const del = withDefaults({ domain: 'acme.audit', destinations: [{ name: 'a', type: 'file', path: '/tmp/a\u007fb' }] });
    for (const format of ['helm', 'operator'] as const) {
      expect(() => renderCollectorConfig(del, { format })).toThrow(DestinationsError);
      expect(() => renderCollectorConfig(del, { format })).toThrow(`<memory>: (file): the collector config's "exporters"."file/a"."path" holds U+007F, which the ${format} packaging cannot carry`);
    }
    expect(parse(renderCollectorConfig(del))).toMatchObject({ exporters: { 'file/a': { path: '/tmp/a\u007fb' } } });
  });

  it('comes out of the real `helm template` as the same config, which the collector accepts', async () => {
    const spec = kubernetesSpec;
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-helm-controls-'));
    writeFileSync(join(dir, 'values.yaml'), renderCollectorConfig(spec, { format: 'helm' }));
    const chart = join(root, 'test', 'fixtures', 'kubernetes', 'opentelemetry-collector');
    const result = await run(findHelmBinary(), ['template', 'audit', chart, '-f', join(dir, 'values.yaml')], { env: { ...process.env, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') } });
    expect(result.code, result.stderr).toBe(0);
    const configMap = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind?: string; data?: Record<string, string> } | null).find((m) => m?.kind === 'ConfigMap');
    const relay = parse(configMap!.data!.relay!) as Record<string, unknown>;
    expect(relay).toEqual(JSON.parse(JSON.stringify(buildCollectorConfig(spec).config)));
    const validation = await validateConfigWithCollector(relay, new Map(), { binary: collectorBinary() });
    expect(validation.ok, validation.output).toBe(true);
  });

  it('refuses a lone surrogate, which no YAML can carry, naming the field', () => {
    const broken = withDefaults({ domain: 'acme.audit', destinations: [{ name: 'a', type: 'file', path: '/tmp/a\ud800b' }] });
    expect(() => buildCollectorConfig(broken)).toThrow(DestinationsError);
    expect(() => buildCollectorConfig(broken)).toThrow('<memory>: destinations[0].path: contains a lone surrogate (not valid Unicode), which YAML cannot write');
  });
});
