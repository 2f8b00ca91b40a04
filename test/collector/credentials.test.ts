// Literal credentials are refused wherever they hide, not only in fields named
// token/password: user:password@ in any URL, credential query parameters,
// headers whose name says they carry a credential, and literal text around a
// reference. The message names the field and never repeats the secret. Sending
// credentials without TLS is allowed, with a warning on stderr.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DestinationsError, packagingWarnings, parseDestinations } from '../../src/collector/index.js';
import { isSecretHeaderName, isSecretQueryName } from '../../src/collector/secrets.js';
import { buildProgram } from '../../src/cli/program.js';

const SECRET = 'Sup3rS3cr3t';

/** The issues of a file with one destination, as [path, message]. */
function refused(destination: string): [string, string][] {
  try {
    parseDestinations(`domain: acme.audit\ndestinations:\n${destination}`, 'audit-collector.yaml');
  } catch (error) {
    if (!(error instanceof DestinationsError)) throw error;
    expect(error.message).not.toContain(SECRET);
    return error.issues.map((i) => [i.path, i.message]);
  }
  throw new Error('expected the file to be refused');
}

const accepted = (destination: string) => parseDestinations(`domain: acme.audit\ndestinations:\n${destination}`, 'audit-collector.yaml');

const otlp = (extra: string) => `  - name: vendor\n    type: otlp\n    endpoint: https://otlp.example.com\n${extra}`;

describe('credentials in URLs', () => {
  it.each([
    ['an opensearch endpoint', `  - name: search\n    type: opensearch\n    endpoint: https://admin:${SECRET}@os.example.com:9200\n`, 'destinations[0].endpoint'],
    ['an elasticsearch endpoint, user only', `  - name: es\n    type: elasticsearch\n    endpoint: https://${SECRET}@es.example.com\n`, 'destinations[0].endpoint'],
    ['an S3-compatible endpoint', `  - name: s3\n    type: awss3\n    region: eu-west-1\n    bucket: audit\n    endpoint: http://minio:${SECRET}@minio:9000\n`, 'destinations[0].endpoint'],
    ['a gRPC endpoint written host:port', `  - name: central\n    type: otlp\n    protocol: grpc\n    endpoint: audit:${SECRET}@collector.internal:4317\n`, 'destinations[0].endpoint'],
    ['a URL in a header value', otlp(`    headers:\n      x-forward-to: https://u:${SECRET}@relay.example.com\n`), 'destinations[0].headers.x-forward-to'],
  ])('refuses user:password@ in %s', (_, destination, path) => {
    expect(refused(destination)).toEqual([[path, "contains credentials (user:password@) in its URL; take them from the environment (${env:NAME}) or use the destination's username/password"]]);
  });

  it('accepts userinfo made of environment references, and @ outside the authority', () => {
    expect(accepted(otlp('').replace('https://otlp.example.com', 'https://${env:OTLP_USER}:${env:OTLP_PASSWORD}@otlp.example.com/v1/@tenant')).destinations).toHaveLength(1);
  });
});

describe('credentials in query strings', () => {
  it.each(['api_key', 'apikey', 'key', 'token', 'access_token', 'sig', 'signature', 'X-Amz-Signature', 'password', 'secret', 'client_secret', 'auth'])('refuses a literal ?%s=', (name) => {
    const [[path, message]] = refused(otlp('').replace('https://otlp.example.com', `https://otlp.example.com/v1?tenant=acme&${name}=${SECRET}`)) as [[string, string]];
    expect(path).toBe('destinations[0].endpoint');
    expect(message).toBe(`contains a credential in the query parameter "${name}"; write it as an environment reference (${name}=\${env:NAME})`);
  });

  it('accepts a credential parameter that is an environment reference, and harmless parameters', () => {
    expect(accepted(otlp('').replace('https://otlp.example.com', 'https://otlp.example.com/v1?api_key=${env:VENDOR_KEY}&tenant=acme&region=eu')).destinations).toHaveLength(1);
  });

  it('knows which parameter names carry credentials', () => {
    for (const name of ['api_key', 'apiKey', 'access_token', 'sig', 'X-Amz-Credential', 'X-Amz-Security-Token', 'sessionid', 'pwd', 'passwd', 'jwt', 'api%5Fkey']) expect(isSecretQueryName(name), name).toBe(true);
    for (const name of ['tenant', 'region', 'sv', 'se', 'format', 'index']) expect(isSecretQueryName(name), name).toBe(false);
  });
});

describe('credentials in headers', () => {
  it.each(['Authorization', 'X-Auth-Token', 'X-Custom-Auth', 'X-Api-Key', 'Signature', 'Cookie', 'Proxy-Authorization', 'DD-API-KEY', 'X-Session-Id', 'x_access_key'])('refuses a literal value in %s, by its name', (name) => {
    const issues = refused(otlp(`    headers:\n      ${name}: ${SECRET}\n`));
    expect(issues).toHaveLength(1);
    expect(issues[0]![0]).toBe(`destinations[0].headers.${name}`);
    expect(issues[0]![1]).toMatch(new RegExp(`^"headers\\.${name}" is a secret and must be an environment reference like \\$\\{env:VENDOR_[A-Z_]+\\}`));
  });

  it('refuses an auth scheme and a literal credential in any header', () => {
    expect(refused(otlp(`    headers:\n      x-forwarded-credentials-for: nobody\n      x-upstream: Bearer ${SECRET}\n`))).toEqual([
      ['destinations[0].headers.x-forwarded-credentials-for', expect.stringContaining('is a secret and must be an environment reference like ${env:VENDOR_X_FORWARDED_CREDENTIALS_FOR}') as unknown as string],
      ['destinations[0].headers.x-upstream', 'carries a credential (an authorization scheme and a literal value); write it as an environment reference like Bearer ${env:VENDOR_X_UPSTREAM}'],
    ]);
  });

  it('accepts known auth schemes before one reference, and headers that are not credentials', () => {
    const spec = accepted(otlp('    headers:\n      Authorization: Splunk ${env:HEC_TOKEN}\n      X-Api-Key: ${env:VENDOR_KEY}\n      x-tenant: acme\n'));
    expect(spec.destinations[0]!.headers).toEqual({ Authorization: 'Splunk ${env:HEC_TOKEN}', 'X-Api-Key': '${env:VENDOR_KEY}', 'x-tenant': 'acme' });
    for (const name of ['x-tenant', 'Content-Type', 'X-Scope-OrgID', 'x-datadog-origin', 'Accept']) expect(isSecretHeaderName(name), name).toBe(false);
  });
});

describe('a secret is exactly one reference', () => {
  it.each([
    ['a literal prefix', 'token: "abc ${env:HEC_TOKEN}"'],
    ['a scheme word outside a header', 'token: "Splunk ${env:HEC_TOKEN}"'],
    ['a literal suffix', 'token: "${env:HEC_TOKEN}abc"'],
    ['two references', 'token: "${env:A}${env:B}"'],
    ['another provider', 'token: "${file:/run/secrets/hec}"'],
  ])('refuses %s around the reference', (_, line) => {
    const issues = refused(`  - name: splunk\n    type: splunk_hec\n    endpoint: https://splunk:8088\n    ${line}\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]![0]).toBe('destinations[0].token');
    expect(issues[0]![1]).toMatch(/^"token" is a secret and must be (?:exactly one|an) environment reference like \$\{env:SPLUNK_TOKEN\}/);
  });

  it('refuses an unknown scheme word before a header reference (it could be part of the secret)', () => {
    expect(refused(otlp('    headers:\n      Authorization: Xq7vZ ${env:TOKEN}\n'))[0]).toEqual(['destinations[0].headers.Authorization', expect.stringContaining('with no literal text before or after it') as unknown as string]);
  });
});

describe('credentials sent without TLS', () => {
  const spec = parseDestinations(`domain: acme.audit
destinations:
  - name: plain
    type: splunk_hec
    endpoint: http://splunk.internal:8088
    token: \${env:HEC_TOKEN}
  - name: grpc
    type: otlp
    protocol: grpc
    endpoint: collector.internal:4317
    insecure: true
    bearerToken: \${env:CENTRAL_TOKEN}
  - name: unverified
    type: opensearch
    endpoint: https://os.internal:9200
    username: admin
    password: \${env:OS_PASSWORD}
    tls: { insecureSkipVerify: true }
  - name: fine
    type: elasticsearch
    endpoint: https://es.internal:9200
    apiKey: \${env:ES_KEY}
  - name: archive
    type: file
    path: /var/lib/audit.jsonl
`, 'audit-collector.yaml');

  it('warns for every format, naming the field, never refuses', () => {
    const expected = [
      'audit-collector.yaml: destinations[0].endpoint: sends its credentials (token) over plain http://, readable by anyone on the network path; use https://',
      'audit-collector.yaml: destinations[1].insecure: sends its credentials (bearerToken) without TLS (insecure: true), readable by anyone on the network path',
      "audit-collector.yaml: destinations[2].tls.insecureSkipVerify: sends its credentials (password) without checking the server's certificate, so anyone on the network path can take them",
    ];
    for (const format of ['config', 'helm', 'operator'] as const) expect(packagingWarnings(spec, format)).toEqual(expected);
  });

  it('prints them on stderr from `otel-audit collector render`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-credentials-'));
    writeFileSync(join(dir, 'plain.yaml'), 'domain: acme.audit\ndestinations:\n  - name: plain\n    type: splunk_hec\n    endpoint: http://splunk.internal:8088\n    token: ${env:HEC_TOKEN}\n');
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      await buildProgram().parseAsync(['node', 'otel-audit', 'collector', 'render', '-f', join(dir, 'plain.yaml'), '-o', join(dir, 'config.yaml')]);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([expect.stringMatching(/^warning: .*plain\.yaml: destinations\[0\]\.endpoint: sends its credentials \(token\) over plain http:\/\//)]);
  });
});

describe('credentials in list items', () => {
  it('are refused too, naming the item', () => {
    expect(refused(`  - name: a\n    type: file\n    path: /tmp/a\n    organizations: ["https://u:${SECRET}@x.example.com"]\n`)).toEqual([
      ['destinations[0].organizations[0]', "contains credentials (user:password@) in its URL; take them from the environment (${env:NAME}) or use the destination's username/password"],
    ]);
  });
});
