// The contract's two redaction rules as the emitter applies them: sensitive
// key names (camelCase, snake_case, kebab-case, dotted, plurals) and secrets
// inside free text (schemas/contract.json sensitive.valuePatterns), in every
// string of the body and the attributes. The value patterns are RE2 for the
// collector: they must compile and match the same under re2js (a port of RE2),
// and run in linear time under V8's backtracking engine too.
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { AuditLogRecordProcessor, INVALID_ATTRIBUTE } from '../../src/emit/processor.js';
import { isSensitiveName, redactAttribute, redactText, redactValue } from '../../src/emit/redact.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';
import { catalog } from './fixtures/catalog.js';

const { replacement, valuePatterns, names, attributePattern } = contract().sensitive;
const R = replacement;

// Secret-shaped test values are assembled here, so that no scanner mistakes this file for a leak.
const jwt = ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.');
const awsKey = 'AKIA' + 'IOSFODNN7EXAMPLE';
const awsTemp = 'ASIA' + 'Y34FZKBOKMUTVV7A';
const ghp = 'ghp_' + 'a1B2c3D4e5'.repeat(3) + 'f6G7h8';
const ghPat = 'github_pat_' + '11ABCDEFG0abcdefghijkl' + '_' + 'x'.repeat(59);
const slack = 'xoxb-' + '123456789012-1234567890123-' + 'AbCdEfGhIjKlMnOpQrStUvWx';
const google = 'AIza' + 'SyA-1234567890abcdefghijklmnopqrstu';
const stripe = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc';
const pem = (kind: string, body = 'MIIEowIBAAKCAQEA7\nbase64base64==') => `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`;

describe('value patterns: secrets inside free text', () => {
  const cases: [string, string][] = [
    ['Authorization: Bearer xyz', `Authorization: Bearer ${R}`],
    ['curl -H "authorization: bearer abc.def" https://api.example.com', `curl -H "authorization: bearer ${R}" https://api.example.com`],
    ['{"Authorization":"Basic dXNlcjpwYXNz"}', `{"Authorization":"Basic ${R}"}`],
    ['AUTHORIZATION=s3cr3t&next=1', `AUTHORIZATION=${R}&next=1`],
    [`sent Bearer ${jwt} upstream`, `sent Bearer ${R} upstream`],
    ['BEARER abc-123_x~y+z/w==', `BEARER ${R}`],
    [`jwt=${jwt};`, `jwt=${R};`],
    [`"${jwt}"`, `"${R}"`],
    ['https://alice:s3cret@db.example.com/x', `https://alice:${R}@db.example.com/x`],
    ['redis://:p@ss@cache:6379/0', `redis://:${R}@cache:6379/0`],
    ['postgres://svc:pw@10.0.0.1:5432/db and ftp://u:v@h', `postgres://svc:${R}@10.0.0.1:5432/db and ftp://u:${R}@h`],
    [`key=${awsKey} region=us-east-1`, `key=${R} region=us-east-1`],
    [`${awsTemp}`, R],
    [`token ${ghp} for the bot`, `token ${R} for the bot`],
    [`https://${ghp}@github.com/acme/x.git`, `https://${R}@github.com/acme/x.git`],
    [ghPat, R],
    [`gho_${'Z'.repeat(36)} ghs_${'9'.repeat(36)}`, `${R} ${R}`],
    [`slack ${slack}`, `slack ${R}`],
    [`maps?key=${google}`, `maps?key=${R}`],
    [`stripe: ${stripe}`, `stripe: ${R}`],
    [`rk_test_${'a1'.repeat(12)}`, R],
    [pem('RSA '), `-----BEGIN RSA PRIVATE KEY-----${R}-----END RSA PRIVATE KEY-----`],
    [pem(''), `-----BEGIN PRIVATE KEY-----${R}-----END PRIVATE KEY-----`],
    [`cut: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA`, `cut: -----BEGIN OPENSSH PRIVATE KEY-----${R}`],
    ['-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBF\n-----END PGP PRIVATE KEY BLOCK-----', `-----BEGIN PGP PRIVATE KEY BLOCK-----${R}-----END PGP PRIVATE KEY BLOCK-----`],
  ];
  it.each(cases)('%j → %j', (input, expected) => {
    expect(redactText(input)).toBe(expected);
    expect(redactText(expected)).toBe(expected); // idempotent: the replacement triggers nothing
  });

  const clean = [
    'https://example.com/path?q=1#top',
    'http://host:8080/x@y',
    'mailto:ada@example.com',
    'ada@example.com',
    'Asia/Tokyo',
    'The Bearer',
    'authority: none',
    'author=ada',
    'authorization_code',
    'AKIA too short',
    'disk_test_0123456789abcdef01',
    'xAKIAIOSFODNN7EXAMPLE',
    'eyJ only',
    '018f2b8e-7c1a-7cde-8f00-1234567890ab',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  ];
  it.each(clean)('leaves %j alone (the same string)', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('redacts every string of the body and the attributes: canonical fields, data, arrays, objects in arrays, toJSON results', () => {
    const secret = `Bearer ${jwt}`;
    const record = toLogRecord(
      {
        name: 'settings.update',
        source: secret,
        actor: { id: secret, name: secret, userAgent: secret, email: secret, ip: secret, type: secret },
        target: { type: secret, id: secret, name: secret },
        organization: secret,
        team: secret,
        cloudAccount: secret,
        subscription: secret,
        transactionId: secret,
        data: { note: secret, list: [secret, 'x'], mixed: [1, secret], objects: [{ text: secret }], nested: { deeper: { text: secret } }, json: { toJSON: () => secret }, url: 'https://u:hunter2@h' },
      },
      catalog,
    );
    const text = JSON.stringify(record);
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('hunter2');
    expect(record.attributes['user.id']).toBe(`Bearer ${R}`);
    expect(record.attributes['enduser.id']).toBe(`Bearer ${R}`);
    expect(record.attributes['user_agent.original']).toBe(`Bearer ${R}`);
    expect(record.body.actor?.userAgent).toBe(`Bearer ${R}`);
    expect(record.attributes['audit.data.list']).toEqual([`Bearer ${R}`, 'x']);
    expect(record.attributes['audit.data.objects']).toBe(JSON.stringify([{ text: `Bearer ${R}` }]));
    expect(record.attributes['audit.data.json']).toBe(`Bearer ${R}`);
    expect(record.attributes['audit.data.url']).toBe(`https://u:${R}@h`);
    expect((record.body.data as { nested: { deeper: { text: string } } }).nested.deeper.text).toBe(`Bearer ${R}`);
  });

  it('redacts a secret in an event id too (log.record.uid and body)', () => {
    const record = toLogRecord({ name: 'auth.login', id: `x-${awsKey}` }, catalog);
    expect(record.body.id).toBe(`x-${R}`);
    expect(record.attributes['log.record.uid']).toBe(`x-${R}`);
  });

  it('in the processor: attributes set by hand and the body of a marked invalid record', () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new AuditLogRecordProcessor({ catalog }), new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('app');
    logger.emit({ eventName: 'auth.login', body: { data: { method: 'sso' } }, attributes: { 'http.request.header.x': `Bearer ${jwt}`, 'db.statement': `connect postgres://a:hunter2@db`, count: 3 } });
    logger.emit({ eventName: 'repo.frok', attributes: { 'event.domain': 'acme.audit' }, body: { data: { note: `key ${awsKey}`, list: [{ pem: pem('EC ') }] } } });
    const [valid, invalid] = exporter.getFinishedLogRecords();
    expect(valid!.attributes['http.request.header.x']).toBe(`Bearer ${R}`);
    expect(valid!.attributes['db.statement']).toBe(`connect postgres://a:${R}@db`);
    expect(valid!.attributes.count).toBe(3);
    expect(invalid!.attributes[INVALID_ATTRIBUTE]).toMatch(/^name: /);
    expect(JSON.stringify(invalid!.body)).not.toContain(awsKey);
    expect(JSON.stringify(invalid!.body)).not.toContain('base64base64');
  });

  it('redactAttribute returns the same value when nothing changes', () => {
    expect(redactAttribute('http.route', '/login')).toBe('/login');
    expect(redactAttribute('n', 1)).toBe(1);
    expect(redactAttribute('db.password', 'x')).toBe(R);
  });

  describe('as RE2 (the collector) reads them', () => {
    /** [start, end] of what the emitter replaces in each match: the first group, else the whole match. */
    const spansJs = (regex: string, text: string): [number, number][] => {
      const re = new RegExp(regex, 'gdu');
      const spans: [number, number][] = [];
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        spans.push(m.length > 1 && m[1] !== undefined ? m.indices![1]! : [m.index, m.index + m[0].length]);
      }
      return spans;
    };
    const spansRe2 = (regex: string, text: string): [number, number][] => {
      const matcher = RE2JS.compile(regex).matcher(text);
      const spans: [number, number][] = [];
      while (matcher.find()) {
        if (matcher.end() === matcher.start()) continue;
        spans.push(matcher.groupCount() > 0 && matcher.start(1) >= 0 ? [matcher.start(1), matcher.end(1)] : [matcher.start(), matcher.end()]);
      }
      return spans;
    };

    it.each(valuePatterns.map((p) => [p.name, p] as const))('%s compiles as RE2 and has no lookaround or backreference', (_, pattern) => {
      expect(() => RE2JS.compile(pattern.regex)).not.toThrow();
      // \s means more in JavaScript than in RE2 (Unicode spaces); [\s\S] (anything) is the one safe use.
      expect(pattern.regex.replaceAll('[\\s\\S]', '')).not.toMatch(/\(\?<?[=!]|\\[1-9]|\\s/);
      expect(pattern.triggers.length).toBeGreaterThan(0);
    });

    /** Text made of the patterns' own pieces, so that matches, near misses and overlaps are common. */
    const pieces = fc.constantFrom(
      ...valuePatterns.flatMap((p) => p.triggers),
      'Bearer ', 'uthorization: ', 'Authorization', 'A', ':', '@', '/', '.', '-', '_', ' ', '\t', '\n', '"', "'", '=', ',', ';', '&', '?', '#',
      'abc', 'XYZ', '0123', 'KEY', 'PRIVATE KEY-----', '-----END ', 'RSA ', 'live_', 'test_', '\u00a0', 'é', '😀', 'a'.repeat(40), 'Z9'.repeat(20),
    );
    const textArb = fc.array(pieces, { maxLength: 40 }).map((parts) => parts.join(''));

    it('match the same spans in JavaScript and in RE2', () => {
      fc.assert(
        fc.property(textArb, (text) => {
          for (const p of valuePatterns) expect(spansJs(p.regex, text), `${p.name} on ${JSON.stringify(text)}`).toEqual(spansRe2(p.regex, text));
        }),
        { numRuns: 400 },
      );
    });

    it('every match contains one of its triggers and is at least minLength long (what the pre-check relies on)', () => {
      fc.assert(
        fc.property(textArb, (text) => {
          for (const p of valuePatterns) {
            const re = new RegExp(p.regex, 'gu');
            for (const m of text.matchAll(re)) {
              expect(p.triggers.some((t) => m[0].includes(t)), `${p.name}: ${JSON.stringify(m[0])}`).toBe(true);
              expect(m[0].length, `${p.name}: ${JSON.stringify(m[0])}`).toBeGreaterThanOrEqual(p.minLength);
            }
          }
        }),
        { numRuns: 400 },
      );
      for (const [input] of cases) {
        for (const p of valuePatterns) for (const m of input.matchAll(new RegExp(p.regex, 'gu'))) expect(m[0].length).toBeGreaterThanOrEqual(p.minLength);
      }
    });

    it('redactText replaces every span RE2 finds and keeps the rest', () => {
      fc.assert(
        fc.property(textArb, (text) => {
          const redacted = redactText(text);
          // Applied one after the other, each pattern leaves no match behind.
          for (const p of valuePatterns) {
            for (const [from, to] of spansRe2(p.regex, redacted)) expect(redacted.slice(from, to), `${p.name} left in ${JSON.stringify(redacted)}`).toBe(R);
          }
          expect(redactText(redacted)).toBe(redacted);
        }),
        { numRuns: 300 },
      );
    });
  });

  it('stay linear on hostile input (64 Ki characters each)', () => {
    const n = 65_536;
    const fill = (unit: string) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
    const hostile = [
      fill('eyJ'),
      fill('eyJa.'),
      `eyJ${fill('a')}`,
      fill('://'),
      fill('://a:'),
      `://${fill('a')}:${fill('b')}`,
      fill('Bearer '),
      fill('Authorization: '),
      fill('AKIA'),
      fill('ghp_'),
      fill('github_pat_'),
      fill('xoxb-'),
      fill('AIza'),
      fill(' sk_live_'),
      fill('-----BEGIN '),
      `-----BEGIN RSA PRIVATE KEY-----${fill('A')}`,
      fill('-----BEGIN PRIVATE KEY-----'),
    ];
    const started = performance.now();
    for (const text of hostile) redactText(text);
    // Quadratic backtracking on any of these takes seconds; linear work is a few milliseconds each.
    expect(performance.now() - started).toBeLessThan(1500);
  });
});

describe('the name rule', () => {
  const redacted = (key: string) => {
    const r = toLogRecord({ name: 'settings.update', data: { [key]: 'v' } }, catalog);
    return r.attributes[`audit.data.${key}`] === R && (r.body.data as Record<string, unknown>)[key] === R;
  };
  const official = new RegExp(attributePattern);

  const sensitive = [
    'password', 'Password', 'db-password', 'passwords', 'userPasswords', 'passwd', 'pwd', 'oldPwd', 'passphrase',
    'secret', 'client_secret', 'secrets', 'secret_key', 'secretKey', 'SECRET-KEY', 'aws_secret_access_key',
    'token', 'apiToken', 'tokens', 'refresh-tokens', 'jwt', 'idJwt', 'jwts',
    'apiKey', 'api_key', 'api-key', 'apiKeys', 'API_KEYS', 'accessKey', 'access_keys',
    'privateKey', 'private_key_pem', 'privateKeyPem', 'private-keys',
    'authorization', 'Authorization-Header', 'authorization_header', 'authHeader', 'auth-header', 'basicAuth', 'basic_auth',
    'cookie', 'cookies', 'setCookie', 'credential', 'credentials', 'gitCredentials',
    'session_id', 'sessionId', 'session-ids', 'connection_string', 'connectionString',
  ];
  it.each(sensitive)('redacts %s, and the contract pattern agrees', (key) => {
    expect(redacted(key)).toBe(true);
    expect(official.test(`audit.data.${key}`)).toBe(true);
  });

  const visible = ['author', 'authority', 'authored_by', 'oauth', 'auth', 'tokenCount', 'tokens_used', 'token_type', 'tokenId', 'passwordLength', 'secretName', 'keyId', 'key', 'sessionCount', 'session', 'cookieConsent', 'credentialType', 'jwtIssuer', 'publicKey', 'sortKey'];
  it.each(visible)('keeps %s visible, and so does the contract pattern', (key) => {
    expect(redacted(key)).toBe(false);
    expect(official.test(`audit.data.${key}`)).toBe(false);
  });

  it('reads dots as separators: api.key and session.id, as a dotted key or nested', () => {
    const r = toLogRecord({ name: 'settings.update', data: { 'api.key': 'k1', api: { name: 'n' }, session: { id: 's1', started: 1 }, 'private.key.pem': 'p', repo: { id: 'r' } } }, catalog);
    expect(r.attributes['audit.data.api.key']).toBe(R);
    expect(r.attributes['audit.data.api.name']).toBe('n');
    expect(r.attributes['audit.data.session.id']).toBe(R);
    expect(r.attributes['audit.data.session.started']).toBe(1);
    expect(r.attributes['audit.data.private.key.pem']).toBe(R);
    expect(r.attributes['audit.data.repo.id']).toBe('r');
    expect(JSON.stringify(r.body)).not.toMatch(/k1|s1/);
    // Objects inside arrays and marked invalid records follow the same rule.
    const list = toLogRecord({ name: 'settings.update', data: { list: [{ session: { id: 's2' } }] } }, catalog);
    expect(JSON.stringify(list)).not.toContain('s2');
    expect(JSON.stringify(redactValue({ data: { api: { key: 'k3' } } }))).not.toContain('k3');
  });

  it('the emitter redacts at least every key the contract pattern matches', () => {
    const part = fc.oneof(fc.constantFrom(...names, 'Secret_Key', 'API-KEYS', 'session_Id', 'author', 'x', '_', '-'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const key = parts.join('');
        if (key.includes('.') || !official.test(`audit.data.${key}`)) return;
        expect(isSensitiveName(key), key).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('names and attributePattern list the same words (separators removed)', () => {
    const body = /\[\^\.\]\*\(\?:(.+)\)\$$/.exec(attributePattern)![1]!;
    const words = body.split('|').map((alternative) => alternative.replace(/\[_-\]\?/g, '').replace(/\[([a-zA-Z])[a-zA-Z]\]/g, (_, c: string) => c.toLowerCase()));
    expect(words.sort()).toEqual([...names].sort());
  });
});
