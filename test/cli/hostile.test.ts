// The CLI under careless use: it never destroys the file it reads, stops
// quietly when its reader goes away, and says how a broken collector binary ended.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDestinations, validateWithCollector } from '../../src/collector/index.js';
import { createAuditLogger } from '../../src/index.js';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { catalog } from '../emit/fixtures/catalog.js';
import { packageRoot } from '../../src/package-root.js';

const root = packageRoot();
const CLI = join(root, 'src', 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'otel-audit-cli-hostile-'));
const destinations = 'domain: acme.audit\ndestinations:\n  - name: archive\n    type: file\n    path: /tmp/audit.jsonl\n';

function cli(args: string[], shell?: string) {
  if (shell) return spawnSync('sh', ['-c', shell], { cwd: root, encoding: 'utf8' });
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: root, encoding: 'utf8' });
}

describe('collector render -o', () => {
  it('refuses to overwrite the destinations file it renders, directly or through a symlink', () => {
    const file = join(dir, 'audit-collector.yaml');
    writeFileSync(file, destinations);
    const link = join(dir, 'link.yaml');
    symlinkSync(file, link);
    for (const output of [file, link, join(dir, '.', 'audit-collector.yaml')]) {
      const result = cli(['collector', 'render', '-f', file, '-o', output]);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/is the destinations file itself/);
      expect(readFileSync(file, 'utf8')).toBe(destinations);
    }
  });
});

describe('-o', () => {
  it('refuses an empty name, names the option when the file cannot be written, and never destroys the catalog it documents', () => {
    const file = join(dir, 'o-destinations.yaml');
    writeFileSync(file, destinations);
    const empty = cli(['collector', 'render', '-f', file, '-o', '']);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toBe('otel-audit: -o needs a file name (it was empty)\n');
    expect(empty.stdout).toBe('');
    const missing = join(dir, 'no-such-folder', 'config.yaml');
    const unwritable = cli(['collector', 'render', '-f', file, '-o', missing]);
    expect(unwritable.status).toBe(1);
    expect(unwritable.stderr).toMatch(new RegExp(`^otel-audit: -o ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write there: ENOENT`));
    const catalog = join(dir, 'catalog.yaml');
    const text = readFileSync(join(root, 'sigma', 'catalog.yaml'), 'utf8');
    writeFileSync(catalog, text);
    const docs = cli(['catalog', 'docs', catalog, '-o', catalog]);
    expect(docs.status).toBe(1);
    expect(docs.stderr).toMatch(/is the catalog itself/);
    expect(readFileSync(catalog, 'utf8')).toBe(text);
  });

  it('is refused for a text sigma report instead of being ignored (the CI file would never be written)', () => {
    const report = join(dir, 'report.xml');
    const result = cli(['sigma', 'check', '-o', report]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`otel-audit: -o ${report} writes a junit or sarif report: add --output-format junit or --output-format sarif\n`);
    const junit = cli(['sigma', 'check', '--output-format', 'junit', '-o', report]);
    expect(junit.status, junit.stderr).toBe(0);
    expect(readFileSync(report, 'utf8')).toMatch(/^<\?xml/);
  });
});

describe('deliveries list | head', () => {
  it('exits quietly when the reader closes the pipe', () => {
    const spool = mkdtempSync(join(tmpdir(), 'otel-audit-cli-spool-'));
    const line = (i: number) => JSON.stringify({ time: new Date().toISOString(), target: 'https://hooks.example/audit', outcome: 'failure', records: i, status: 503 });
    writeFileSync(join(spool, 'deliveries.jsonl'), Array.from({ length: 20_000 }, (_, i) => line(i)).join('\n') + '\n');
    const result = cli([], `node --import tsx ${JSON.stringify(CLI)} deliveries list --dir ${JSON.stringify(spool)} | head -n 1`);
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
    expect(result.stdout.split('\n')[0]).toMatch(/failure/);
  });
});

describe('a collector binary that is not a collector', () => {
  it('reports how it ended instead of a bare failure', async () => {
    const spec = parseDestinations(destinations, 'audit-collector.yaml');
    const result = await validateWithCollector(spec, { binary: '/bin/false' });
    expect(result.ok).toBe(false);
    expect(result.error).toBe('/bin/false validate exited with code 1 and printed nothing; is it an OpenTelemetry Collector?');
  });
});

describe('verify with a trail that proves nothing', () => {
  const key = join(dir, 'verify.pub.pem');
  writeFileSync(key, '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n');

  it('an empty file (an archive truncated to nothing) fails, saying so', () => {
    const empty = join(dir, 'empty-trail.jsonl');
    writeFileSync(empty, '');
    const result = cli(['verify', empty, '--public-key', key]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('FAILED: no audit record in');
    const json = cli(['verify', empty, '--public-key', key, '--json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 1, streams: [] });
  });

  it('a folder or a missing path is named, not read', () => {
    const folder = cli(['verify', dir, '--public-key', key]);
    expect(folder.status).not.toBe(0);
    expect(folder.stderr).toContain(`${dir} is a folder: name the trail files in it`);
    const missing = cli(['verify', join(dir, 'nope.jsonl'), '--public-key', key]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('nope.jsonl: no such file');
  });
});

describe('verify prints what the trail holds as inert text', () => {
  it('escapes control characters in stream ids, record ids and key ids, so a stored record cannot forge a line or drive the terminal', () => {
    const key = join(dir, 'inert.pub.pem');
    writeFileSync(key, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const file = join(dir, 'forged-lines.jsonl');
    const stamped = { name: 'auth.login', id: 'a\u001b]52;c;ZXZpbA==\u0007', integrity: { stream: 's\nOK: 999 records and 9 digests in 1 stream proven intact', seq: 1, prev: '0'.repeat(64) } };
    const digest = { name: 'audit.integrity.digest', data: { stream: 's\nOK: 999 records and 9 digests in 1 stream proven intact', from: 1, to: 1, head: 'x', keyId: 'k\u001b[2J', signedAt: 'now', signature: 'AAAA' } };
    writeFileSync(file, [stamped, digest, { name: 'auth.login', id: 'b\r\u009b31m' }].map((r) => JSON.stringify(r)).join('\n'));
    const result = cli(['verify', file, '--public-key', key]);
    expect(result.status).toBe(1);
    // Nothing below a space but the line feeds, and no C1 controls.
    expect([...result.stdout].filter((c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f')))).toEqual([]);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('OK:'))).toEqual([]);
    expect(result.stdout).toContain('stream s\\nOK: 999 records');
    expect(result.stdout).toContain('UNCHAINED record b\\r\\u009b31m');
    expect(result.stdout).toContain('k\\u001b[2J');
  });
});

describe('verify --through: a trail cut at a digest', () => {
  it('fails a stream whose digests stop before the given time without closing, and names a bad time', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = join(dir, 'through.pub.pem');
    writeFileSync(key, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    // Keeps what it was given past shutdown (the in-memory exporter empties itself there).
    const exported: ReadableLogRecord[] = [];
    const exporter: LogRecordExporter = { export: (records, done) => (exported.push(...records), done({ code: 0 })), forceFlush: async () => {}, shutdown: async () => {} };
    const audit = createAuditLogger({ catalog, exporter, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), digestEvery: 5 } });
    for (let i = 0; i < 8; i++) audit.emit('auth.login', { actor: { id: `u-${i}` } });
    await audit.shutdown();
    const bodies = exported.map((record) => record.body as { name: string; integrity?: { seq: number }; data?: { closed?: boolean } });
    const whole = join(dir, 'whole-trail.jsonl');
    writeFileSync(whole, bodies.map((b) => JSON.stringify(b)).join('\n'));
    const later = new Date(Date.now() + 3600_000).toISOString();
    const ok = cli(['verify', whole, '--public-key', key, '--through', later]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/closed at .* \(the emitter shut down\)/);
    // Records 6-8 and the closing digest deleted: the chain left checks out, but it stops too early.
    const cut = join(dir, 'cut-trail.jsonl');
    writeFileSync(cut, bodies.filter((b) => !b.data?.closed && !((b.integrity?.seq ?? 0) > 5)).map((b) => JSON.stringify(b)).join('\n'));
    const blind = cli(['verify', cut, '--public-key', key]);
    expect(blind.status).toBe(0);
    expect(blind.stdout).toMatch(/open: last digest signed at/);
    // Several files, one after another: a broken one is named and fails the run, the others are still read.
    const broken = join(dir, 'broken-object.gz');
    writeFileSync(broken, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]));
    const several = cli(['verify', broken, whole, '--public-key', key]);
    expect(several.status).toBe(1);
    expect(several.stdout).toContain(`UNREADABLE ${broken}: not a readable gzip file`);
    expect(several.stdout).toMatch(/8 records \(last 8\)/);
    const caught = cli(['verify', cut, '--public-key', key, '--through', later]);
    expect(caught.status).toBe(1);
    expect(caught.stdout).toMatch(/ENDS EARLY: its last digest was signed at .* and the stream did not close/);
    for (const bad of ['2026-12-03 12:00', 'yesterday', '2026-12-03T12:00:00', '2026-02-30T00:00:00Z', '2026-12-03T24:00:00Z']) {
      const refused = cli(['verify', whole, '--public-key', key, '--through', bad]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain(`--through ${JSON.stringify(bad)} must be an ISO 8601 time with its zone`);
    }
  });
});

describe('keygen', () => {
  it('writes a key pair the emitter and verify use, the private key readable by its owner only, and never overwrites', async () => {
    const cwd = mkdtempSync(join(dir, 'keygen-'));
    const made = cli(['keygen', join(cwd, 'acme')]);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/acme\.pem: the private key \(key id [0-9a-f]{16}\)/);
    expect(statSync(join(cwd, 'acme.pem')).mode & 0o777).toBe(0o600);
    const privatePem = readFileSync(join(cwd, 'acme.pem'), 'utf8');
    // The pair works: a trail signed with the private key verifies with the public one.
    const exported: ReadableLogRecord[] = [];
    const exporter: LogRecordExporter = { export: (records, done) => (exported.push(...records), done({ code: 0 })), forceFlush: async () => {}, shutdown: async () => {} };
    const audit = createAuditLogger({ catalog, exporter, integrity: { key: `file:${join(cwd, 'acme.pem')}` } });
    audit.emit('auth.login', { actor: { id: 'u-1' } });
    await audit.shutdown();
    writeFileSync(join(cwd, 'trail.jsonl'), exported.map((r) => JSON.stringify(r.body)).join('\n'));
    const verified = cli(['verify', join(cwd, 'trail.jsonl'), '--public-key', join(cwd, 'acme.pub.pem')]);
    expect(verified.status, verified.stdout).toBe(0);
    // Again: refused, and the first key is untouched (it signed digests that still need it).
    const again = cli(['keygen', join(cwd, 'acme')]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('acme.pem exists: keygen never overwrites a key');
    expect(readFileSync(join(cwd, 'acme.pem'), 'utf8')).toBe(privatePem);
    // A dangling symlink where the key would go is not followed.
    symlinkSync(join(cwd, 'elsewhere.pem'), join(cwd, 'linked.pem'));
    const linked = cli(['keygen', join(cwd, 'linked')]);
    expect(linked.status).not.toBe(0);
    expect(() => statSync(join(cwd, 'elsewhere.pem'))).toThrow();
  });
});
