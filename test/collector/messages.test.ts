// The loader's and validate's messages (issue 14): the closest known key for a
// misspelt one, a secret's suggested variable named after its own destination
// and field, the schema's words instead of its regexes, and a collector error
// about a shared setting attributed to that setting, not to a destination.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DestinationsError, parseDestinations, validateWithCollector } from '../../src/collector/index.js';
import { envNameHint, suggestion } from '../../src/collector/load.js';
import { blameDestination } from '../../src/collector/validate.js';
import { withDefaults } from '../../src/collector/spec.js';
import { destinationsSchemaPath } from '../../src/collector/spec.js';
import { collectorBinary } from '../harness/collector.js';

function messages(text: string): string[] {
  try {
    parseDestinations(text, 'audit-collector.yaml');
  } catch (error) {
    if (error instanceof DestinationsError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const splunk = (extra: string) => `domain: acme.audit\ndestinations:\n  - name: splunk\n    type: splunk_hec\n    endpoint: https://splunk:8088\n    token: \${env:SPLUNK_TOKEN}\n${extra}`;

describe('unknown keys', () => {
  it('suggests the closest key of the destination type or the common keys', () => {
    expect(messages(splunk('    indx: audit\n    organisations: [acme]\n    sourceType: x\n    colour: blue\n'))).toEqual([
      'destinations[0].indx: unknown key "indx" for type splunk_hec; did you mean "index"?',
      'destinations[0].organisations: unknown key "organisations" for type splunk_hec; did you mean "organizations"?',
      'destinations[0].sourceType: unknown key "sourceType" for type splunk_hec; did you mean "sourcetype"?',
      'destinations[0].colour: unknown key "colour" for type splunk_hec',
    ]);
  });

  it('suggests keys of the collector settings, the top level and nested blocks', () => {
    expect(messages(`domain: acme.audit\ncolector: {}\ncollector:\n  memoryLimitter: {}\n  queue: { dir: /q }\ndestinations:\n  - name: s\n    type: splunk_hec\n    endpoint: https://s\n    token: \${env:T}\n    tls: { insecureSkipVerfy: true }\n`)).toEqual([
      'colector: unknown key "colector"; did you mean "collector"?',
      'collector.memoryLimitter: unknown key "memoryLimitter"; did you mean "memoryLimiter"?',
      'collector.queue.dir: unknown key "dir"',
      'destinations[0].tls.insecureSkipVerfy: unknown key "insecureSkipVerfy"; did you mean "insecureSkipVerify"?',
    ]);
  });

  it('picks within two edits, ignoring case', () => {
    expect(suggestion('indx', ['index', 'source'])).toBe('; did you mean "index"?');
    expect(suggestion('INDEX', ['index'])).toBe('; did you mean "index"?');
    expect(suggestion('inbox-zero', ['index'])).toBe('');
    expect(suggestion('x'.repeat(100_000), ['index'])).toBe('');
  });
});

describe('the variable a secret message suggests', () => {
  it('is named after the secret\'s own destination and field', () => {
    const issues = messages(`domain: acme.audit
destinations:
  - name: splunk
    type: splunk_hec
    endpoint: https://splunk:8088
    token: literal-1
  - name: security
    type: opensearch
    endpoint: https://os:9200
    username: admin
    password: literal-2
  - name: es
    type: elasticsearch
    endpoint: https://es:9200
    apiKey: literal-3
  - name: vendor
    type: otlp
    endpoint: https://x
    headers: { X-Api-Key: literal-4 }
`);
    expect(issues.map((m) => /\$\{env:([A-Z0-9_]+)\}/.exec(m)?.[1])).toEqual(['SPLUNK_TOKEN', 'SECURITY_PASSWORD', 'ES_API_KEY', 'VENDOR_X_API_KEY']);
    for (const issue of issues) expect(issue).not.toMatch(/literal-\d/);
  });

  it('uses the type when the name is missing or not a valid name, and is always a valid variable name', () => {
    expect(envNameHint({ type: 'opensearch' }, ['password'])).toBe('OPENSEARCH_PASSWORD');
    expect(envNameHint({ name: 'Bad Name!', type: 'opensearch' }, ['password'])).toBe('OPENSEARCH_PASSWORD');
    expect(envNameHint({ name: '1st', type: 'opensearch' }, ['password'])).toBe('OPENSEARCH_1ST_PASSWORD');
    expect(envNameHint({ name: 'soc', type: 'sentinel' }, ['clientSecret'])).toBe('SOC_CLIENT_SECRET');
  });

  it('is accepted by the loader when used', () => {
    const text = splunk('').replace('${env:SPLUNK_TOKEN}', 'literal');
    const hint = /\$\{env:([A-Z0-9_]+)\}/.exec(messages(text)[0]!)![1]!;
    expect(parseDestinations(text.replace('literal', `\${env:${hint}}`)).destinations).toHaveLength(1);
  });
});

describe('pattern messages', () => {
  it('every pattern in the schema has words for it (patternErrorMessage, which editors show too)', () => {
    const patterns: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
      else if (typeof node === 'object' && node !== null) {
        const n = node as Record<string, unknown>;
        if (typeof n.pattern === 'string' && typeof n.patternErrorMessage !== 'string') patterns.push(path);
        for (const [k, v] of Object.entries(n)) walk(v, `${path}.${k}`);
      }
    };
    walk(JSON.parse(readFileSync(destinationsSchemaPath(), 'utf8')), '$');
    expect(patterns).toEqual([]);
  });

  it('say what is expected instead of printing the regex, and do not quote endpoints', () => {
    const issues = messages(`domain: Acme Audit
collector:
  batch: { timeout: soon }
destinations:
  - name: Splunk Main
    type: splunk_hec
    endpoint: ftp://splunk.example.com
    token: \${env:T}
  - name: soc
    type: sentinel
    endpoint: http://dce.example.com
    dcrImmutableId: dcr-XYZ
`);
    expect(issues).toEqual([
      'domain: "Acme Audit" must be lowercase letters and digits in words joined by ".", "-" or "_", like acme.audit',
      'collector.batch.timeout: "soon" must be a duration: a number and a unit of ns, us, ms, s, m or h, like 200ms or 5s',
      'destinations[0].name: "Splunk Main" must be 1 to 63 lowercase letters, digits, "-" or "_", starting and ending with a letter or digit',
      'destinations[0].endpoint: the value must be an http:// or https:// URL, or an environment reference ${env:NAME}',
      'destinations[1].endpoint: the value must be an https:// URL, or an environment reference ${env:NAME}',
      'destinations[1].dcrImmutableId: "dcr-XYZ" must be a data collection rule immutable id, dcr- and 32 lowercase hex digits, or an environment reference ${env:NAME}',
    ]);
    for (const issue of issues) expect(issue).not.toMatch(/\(\?:|\^|\[a-z|\]\{|\\\$|\$\)/);
  });
});

describe('errors about shared settings', () => {
  const owners = new Map([['splunk_hec/a', 'a'], ['logs/a', 'a'], ['splunk_hec/b', 'b']]);

  it('are attributed to the setting, not to the destination the collector names', () => {
    expect(blameDestination('exporters::splunk_hec/b::sending_queue::batch: `max_size` (100) must be greater or equal to `min_size` (5000)', owners)).toEqual({ component: 'splunk_hec/b', setting: 'collector.batch' });
    expect(blameDestination('exporters::splunk_hec/a::sending_queue: `queue_size` must be positive', owners)).toEqual({ component: 'splunk_hec/a', setting: 'collector.queue' });
    expect(blameDestination('exporters::splunk_hec/a::retry_on_failure: bad interval', owners)).toEqual({ component: 'splunk_hec/a', setting: 'collector.retry' });
    expect(blameDestination("processors::memory_limiter: 'spike_limit_mib' must be smaller than 'limit_mib'", owners)).toEqual({ component: 'memory_limiter', setting: 'collector.memoryLimiter' });
    expect(blameDestination('extensions::file_storage/audit-queue: directory must exist', owners)).toEqual({ component: 'file_storage/audit-queue', setting: 'collector.queue.directory' });
    expect(blameDestination('receivers::otlp: bad endpoint', owners)).toEqual({ component: 'otlp', setting: 'collector.receiver' });
  });

  it('leave a destination\'s own errors with the destination', () => {
    expect(blameDestination('exporters::splunk_hec/b: "endpoint" must be a valid URL', owners)).toEqual({ component: 'splunk_hec/b', destination: 'b' });
    expect(blameDestination('service::pipelines::logs/a: references exporter "x"', owners)).toEqual({ component: 'logs/a', destination: 'a' });
  });

  it('come that way out of the real collector', async () => {
    const base = { type: 'splunk_hec' as const, endpoint: 'https://s:8088', token: '${env:T}' };
    const batch = await validateWithCollector(withDefaults({ domain: 'acme.audit', collector: { batch: { minSize: 5000, maxSize: 100 } }, destinations: [{ ...base, name: 'first' }, { ...base, name: 'second' }] }), { binary: collectorBinary() });
    expect(batch.ok).toBe(false);
    expect(batch).toMatchObject({ setting: 'collector.batch' });
    expect(batch.destination).toBeUndefined();
    const memory = await validateWithCollector(withDefaults({ domain: 'acme.audit', collector: { memoryLimiter: { limitMiB: 64, spikeLimitMiB: 64 } }, destinations: [{ ...base, name: 'first' }] }), { binary: collectorBinary() });
    expect(memory).toMatchObject({ ok: false, setting: 'collector.memoryLimiter', component: 'memory_limiter' });
    expect(memory.destination).toBeUndefined();
  });
});
