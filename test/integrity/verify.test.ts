// The hash chain end to end over the real OTLP wire: records emitted with
// `integrity`, received by an OTLP receiver (JSON and protobuf), verified
// with only the public key; then each kind of tampering, one at a time, is
// detected and named.
import { generateKeyPairSync } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLogger } from '../../src/index.js';
import { DIGEST_EVENT, publicKeys, readTrail, recordHash, verifyTrail, type TrailRecord } from '../../src/integrity/index.js';
import { readTrailFile } from '../../src/integrity/read.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/testing/index.js';
import { catalog } from '../emit/fixtures/catalog.js';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const first = keyPair();
let receiver: OtlpReceiver;
let trail: TrailRecord[];
const keys = publicKeys([first.publicPem]);

/** Emits `count` events with a digest every 10 records, and returns what the receiver got. */
async function emitTrail(count: number, protocol: 'http/json' | 'http/protobuf' = 'http/json', key = first.privatePem): Promise<TrailRecord[]> {
  const before = receiver.records.length;
  const audit = createAuditLogger({ catalog, endpoint: receiver.endpoint, protocol, integrity: { key, digestEvery: 10 }, warnOnExportError: false });
  for (let i = 0; i < count; i++) audit.emit('repo.fork', { actor: { id: `u-${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'secret' } });
  await audit.shutdown();
  return receiver.records.slice(before).map((record, i) => ({ body: record.body, where: `received#${i}` }));
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  trail = await emitTrail(25);
});
afterAll(() => receiver.close());

const isDigest = (r: TrailRecord) => (r.body as { name?: string }).name === DIGEST_EVENT;
const seqOf = (r: TrailRecord) => (r.body as { integrity?: { seq: number } }).integrity?.seq;
const clone = (records: TrailRecord[]) => structuredClone(records);

describe('verifyTrail', () => {
  it('proves an untouched trail intact: 25 records, digests at 10, 20 and the final 25', () => {
    expect(trail.filter(isDigest)).toHaveLength(3);
    const report = verifyTrail(trail, { keys });
    expect(report.unchained).toEqual([]);
    expect(report.streams).toHaveLength(1);
    expect(report.streams[0]).toMatchObject({ records: 25, lastSeq: 25, intact: [{ from: 1, to: 25 }], gaps: [], modified: [], forgedDigests: [], missingDigests: [], validDigests: 3 });
    expect(report.streams[0]!.unsignedTail).toBeUndefined();
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('verifies the same trail sent as OTLP/protobuf', async () => {
    const proto = await emitTrail(12, 'http/protobuf');
    expect(verifyTrail(proto, { keys })).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('counts duplicates and reordering as fine', () => {
    const shuffled = clone(trail).reverse();
    const doubled = [...shuffled, ...clone(trail).slice(3, 8)];
    const report = verifyTrail(doubled, { keys });
    expect(report.ok).toBe(true);
    expect(report.streams[0]!.duplicates).toBe(5);
    expect(report.streams[0]!.reordered).toBeGreaterThan(0);
  });

  it('names a deleted record as a gap, with its neighbours', () => {
    const deleted = clone(trail).filter((r) => seqOf(r) !== 14);
    const report = verifyTrail(deleted, { keys });
    expect(report.exitCode).toBe(1);
    expect(report.streams[0]!.gaps).toMatchObject([{ from: 14, to: 14, after: { seq: 13 }, before: { seq: 15 } }]);
    expect(report.streams[0]!.intact).toEqual([{ from: 1, to: 10 }, { from: 21, to: 25 }]);
  });

  it('names an edited field as a modified record', () => {
    const edited = clone(trail);
    const target = edited.find((r) => seqOf(r) === 7)!.body as { actor: { id: string } };
    target.actor.id = 'someone-else';
    const report = verifyTrail(edited, { keys });
    expect(report.exitCode).toBe(1);
    expect(report.streams[0]!.modified).toMatchObject([{ seq: 7 }]);
    expect(report.streams[0]!.modified[0]!.reason).toMatch(/no longer hashes/);
  });

  it('names a record edited to hold a value with no canonical form (1e400, deep nesting) as modified, and goes on', () => {
    const lines = trail.map((r) => JSON.stringify(r.body));
    const seven = lines.findIndex((line) => line.includes('"seq":7,'));
    const eleven = lines.findIndex((line) => line.includes('"seq":11,'));
    lines[seven] = lines[seven]!.replace(/^\{/, '{"score":1e400,');
    lines[eleven] = lines[eleven]!.replace(/^\{/, `{"deep":${'['.repeat(100)}${']'.repeat(100)},`);
    const { records } = readTrail(lines.join('\n'), 'edited.jsonl');
    const report = verifyTrail(records, { keys });
    expect(report.exitCode).toBe(1);
    expect(report.streams[0]!.modified.map((m) => m.seq).sort((a, b) => a - b)).toEqual([7, 11]);
    expect(report.streams[0]!.gaps).toEqual([]);
    // The same through the file reader and its fast path (learned shapes).
    const file = join(mkdtempSync(join(tmpdir(), 'otel-audit-no-canonical-')), 'trail.jsonl');
    writeFileSync(file, lines.join('\n'));
    const fromFile = verifyTrail(readTrailFile(file).records, { keys });
    expect(fromFile.streams[0]!.modified.map((m) => m.seq).sort((a, b) => a - b)).toEqual([7, 11]);
    expect(fromFile.exitCode).toBe(1);
  });

  it('reports a forged sequence number as large as 2^53 - 1 as one gap, at once (no walk through every number)', () => {
    for (const forgedSeq of [Number.MAX_SAFE_INTEGER, 1e9, 2 ** 32]) {
      const forged = clone(trail);
      const copy = structuredClone(forged.find((r) => seqOf(r) === 5)!);
      (copy.body as { integrity: { seq: number } }).integrity.seq = forgedSeq;
      forged.push({ ...copy, where: 'inserted' });
      const report = verifyTrail(forged, { keys });
      expect(report.exitCode).toBe(1);
      expect(report.streams[0]!.gaps).toMatchObject([{ from: 26, to: forgedSeq - 1 }]);
      expect(report.streams[0]!.lastSeq).toBe(forgedSeq);
    }
  });

  it('detects an edit of the last record a digest covers, through the signed head', () => {
    const edited = clone(trail);
    (edited.find((r) => seqOf(r) === 25)!.body as { outcome?: string }).outcome = 'failure';
    const { modified } = verifyTrail(edited, { keys }).streams[0]!;
    expect(modified).toMatchObject([{ seq: 25 }]);
    expect(modified[0]!.reason).toMatch(/head its digest signed/);
  });

  it('names a forged record inserted with an existing sequence number, and one without a stamp', () => {
    const forged = clone(trail);
    const copy = structuredClone(forged.find((r) => seqOf(r) === 5)!);
    (copy.body as { actor: { id: string } }).actor.id = 'attacker';
    forged.push({ ...copy, where: 'inserted' });
    forged.push({ body: { id: 'x', name: 'repo.fork', actor: { id: 'attacker' } }, where: 'inserted-unstamped' });
    const report = verifyTrail(forged, { keys });
    expect(report.exitCode).toBe(1);
    expect(report.streams[0]!.modified).toMatchObject([{ seq: 5, where: 'inserted' }]);
    expect(report.streams[0]!.modified[0]!.reason).toMatch(/second, different record/);
    expect(report.unchained).toEqual([{ id: 'x', where: 'inserted-unstamped' }]);
  });

  it('names a dropped digest as missing, and a digest signed by another key as forged', () => {
    const dropped = clone(trail).filter((r) => !(isDigest(r) && (r.body as { data: { to: number } }).data.to === 20));
    const report = verifyTrail(dropped, { keys });
    expect(report.exitCode).toBe(1);
    expect(report.streams[0]!.missingDigests).toEqual([expect.objectContaining({ from: 11, to: 20 })]);
    const stranger = keyPair();
    expect(verifyTrail(trail, { keys: publicKeys([stranger.publicPem]) }).streams[0]!.forgedDigests).toHaveLength(3);
  });

  it('reports records after the last digest as an unsigned tail (exit code 2), not as tampering', () => {
    const tail = clone(trail).filter((r) => !(isDigest(r) && (r.body as { data: { to: number } }).data.to === 25));
    const report = verifyTrail(tail, { keys });
    expect(report.streams[0]!.unsignedTail).toEqual({ from: 21, to: 25 });
    expect(report).toMatchObject({ ok: false, exitCode: 2 });
  });

  it('says a stream closed at shutdown, and with --through fails a stream cut at a digest (its closing digest and tail deleted)', () => {
    const whole = verifyTrail(trail, { keys, through: new Date(Date.now() + 24 * 3600_000) });
    expect(whole.streams[0]!.closed).toBe(true);
    expect(Date.parse(whole.streams[0]!.lastDigestAt!)).toBeGreaterThan(0);
    expect(whole.streams[0]!.endsEarly).toBeUndefined();
    expect(whole).toMatchObject({ ok: true, exitCode: 0 });
    // The attacker deletes records 21-25 and the closing digest: what is left is a chain that checks out.
    const cut = clone(trail).filter((r) => !(isDigest(r) && (r.body as { data: { to: number } }).data.to === 25) && !((seqOf(r) ?? 0) > 20));
    const blind = verifyTrail(cut, { keys });
    expect(blind.streams[0]).toMatchObject({ closed: false, lastSeq: 20, gaps: [], missingDigests: [] });
    // Given the time the trail should reach, the missing heartbeat digests show.
    const report = verifyTrail(cut, { keys, through: new Date(Date.now() + 10 * 60_000) });
    expect(report.exitCode).toBe(1);
    expect(report.streams[0]!.endsEarly).toMatch(/did not close; it signs one at least every 60000 ms/);
    // A through within two intervals of the last digest is still on time.
    expect(verifyTrail(cut, { keys, through: new Date(Date.now() + 30_000) })).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('names a record appended after the closing digest (its prev the real head: it links) as inserted, given --through', () => {
    const last = trail.find((r) => seqOf(r) === 25)!;
    const head = recordHash(last.body);
    const stamp = (last.body as { integrity: { stream: string } }).integrity;
    const forged = { body: { ...(structuredClone(last.body) as Record<string, unknown>), id: 'forged-26', integrity: { stream: stamp.stream, seq: 26, prev: head } }, where: 'forged#0' };
    const appended = [...clone(trail), forged];
    // Without a time to reach, it is a tail no digest signs yet (exit 2), not a proof.
    expect(verifyTrail(appended, { keys })).toMatchObject({ ok: false, exitCode: 2 });
    const report = verifyTrail(appended, { keys, through: new Date(Date.now() + 10 * 60_000) });
    expect(report.exitCode).toBe(1);
    expect(report.streams[0]!.closed).toBe(false);
    expect(report.streams[0]!.endsEarly).toMatch(/the stream closed at .*, but records 26-26 after it are signed by no digest .*: they were inserted/);
    // A whole stream made up (a stream id of its own, no digest): not proven, and with --through a failure.
    const invented = { body: { ...(structuredClone(last.body) as Record<string, unknown>), id: 'invented-1', integrity: { stream: 'invented', seq: 1, prev: '0'.repeat(64) } }, where: 'invented#0' };
    expect(verifyTrail([...clone(trail), invented], { keys }).exitCode).toBe(2);
    const caught = verifyTrail([...clone(trail), invented], { keys, through: new Date() });
    expect(caught.exitCode).toBe(1);
    expect(caught.streams.find((s) => s.stream === 'invented')!.endsEarly).toMatch(/no valid digest signs any of its 1 records: records inserted under a stream id of their own/);
  });

  it('refuses an event emitted once shutdown has begun (no digest could sign it), and signs everything emitted before', async () => {
    const audit = createAuditLogger({ catalog, endpoint: receiver.endpoint, protocol: 'http/json', integrity: { key: first.privatePem, digestEvery: 100 }, warnOnExportError: false });
    const before = receiver.records.length;
    for (let i = 0; i < 5; i++) audit.emit('auth.login', { actor: { id: `s-${i}` } });
    const done = audit.shutdown();
    // A request still finishing while the service drains.
    expect(() => audit.emit('auth.login', { actor: { id: 'late' } })).toThrow(expect.objectContaining({ code: 'LOGGER_SHUT_DOWN' }));
    await done;
    const drained = receiver.records.slice(before).map((r, i) => ({ body: r.body, where: `drained#${i}` }));
    const report = verifyTrail(drained, { keys, through: new Date(Date.now() + 10 * 60_000) });
    expect(report.streams[0]).toMatchObject({ records: 5, closed: true });
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('names a copy of a digest whose signature is spelled otherwise (spaces, padding) as altered, and counts the digest once', () => {
    const copies = clone(trail);
    const original = copies.find((r) => isDigest(r) && (r.body as { data: { to: number } }).data.to === 20)!;
    for (const respell of [(sig: string) => ` ${sig}`, (sig: string) => `${sig.slice(0, 10)} ${sig.slice(10)}`, (sig: string) => `${sig}=`]) {
      const copy = structuredClone(original);
      const data = (copy.body as { data: { signature: string } }).data;
      data.signature = respell(data.signature);
      copies.push(copy);
    }
    const report = verifyTrail(copies, { keys });
    expect(report.streams[0]!.validDigests).toBe(3);
    expect(report.streams[0]!.missingDigests).toEqual([]);
    expect(report.streams[0]!.forgedDigests).toHaveLength(3);
    for (const forged of report.streams[0]!.forgedDigests) expect(forged.reason).toMatch(/not written as a signer writes it \(canonical base64\): an altered copy/);
  });

  it('signs heartbeat digests while idle, and orders them by their links whatever order they arrive in', async () => {
    const audit = createAuditLogger({ catalog, endpoint: receiver.endpoint, protocol: 'http/json', integrity: { key: first.privatePem, digestEvery: 100, digestIntervalMillis: 25 }, warnOnExportError: false });
    const before = receiver.records.length;
    audit.emit('auth.login', { actor: { id: 'idle-1' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await audit.shutdown();
    const idle = receiver.records.slice(before).map((r, i) => ({ body: r.body, where: `idle#${i}` }));
    const digests = idle.filter(isDigest);
    const heartbeats = digests.filter((r) => { const d = (r.body as { data: { from: number; to: number } }).data; return d.to < d.from; });
    expect(heartbeats.length).toBeGreaterThanOrEqual(3); // the record's own digest, then digests of no new record
    expect((digests.at(-1)!.body as { data: { closed?: boolean } }).data.closed).toBe(true);
    expect(verifyTrail(idle, { keys })).toMatchObject({ ok: true, exitCode: 0 });
    // Delivered out of order, the chain of heartbeats is still whole.
    expect(verifyTrail(clone(idle).reverse(), { keys })).toMatchObject({ ok: true, exitCode: 0 });
    // One heartbeat deleted: the digest after it names a predecessor that is not there.
    const dropped = idle.filter((r) => r !== heartbeats[1]);
    const report = verifyTrail(dropped, { keys });
    expect(report.exitCode).toBe(1);
    expect(report.streams[0]!.missingDigests).toHaveLength(1);
    expect(report.streams[0]!.missingDigests[0]!.reason).toMatch(/is missing: the next one found covers no new record after 1/);
  });

  it('refuses digest options a timer cannot keep (a longer interval than Node can hold fires every millisecond)', () => {
    const make = (integrity: Record<string, unknown>) => () => createAuditLogger({ catalog, endpoint: receiver.endpoint, integrity: { key: first.privatePem, ...integrity } });
    for (const digestIntervalMillis of [0, 0.5, 2 ** 31, 1e10, Number.NaN, '5']) expect(make({ digestIntervalMillis }), String(digestIntervalMillis)).toThrow(/integrity.digestIntervalMillis must be a number of milliseconds from 1 to 2147483647/);
    for (const digestEvery of [0, 1.5, -3]) expect(make({ digestEvery })).toThrow(/integrity.digestEvery must be a positive integer/);
  });

  it('trusts a rotated key whatever order the rotation and the digests it signs arrive in', async () => {
    const second = keyPair();
    const audit = createAuditLogger({ catalog, endpoint: receiver.endpoint, protocol: 'http/json', integrity: { key: first.privatePem, digestEvery: 100 }, warnOnExportError: false });
    const before = receiver.records.length;
    audit.emit('auth.login', { actor: { id: 'r-1' } });
    await audit.integrity!.digest();
    // The rotation and the closing digest both cover no new record: only their links order them.
    await audit.integrity!.rotate(second.privatePem);
    await audit.shutdown(); // the closing digest, signed by the new key
    const rotated = receiver.records.slice(before).map((r, i) => ({ body: r.body, where: `rotation#${i}` }));
    expect(rotated.filter(isDigest)).toHaveLength(3);
    expect(verifyTrail(clone(rotated).reverse(), { keys })).toMatchObject({ ok: true, exitCode: 0 });
    expect(verifyTrail(clone(rotated).reverse(), { keys }).streams[0]!.closed).toBe(true);
  });

  it('names a digest holding a value no signer writes as forged, without failing the run', () => {
    const odd = clone(trail);
    const digest = odd.find((r) => isDigest(r) && (r.body as { data: { to: number } }).data.to === 20)!;
    (digest.body as { data: Record<string, unknown> }).data.extra = Infinity; // 1e400 in the stored JSON
    const malformed = clone(trail);
    (malformed.find((r) => isDigest(r) && (r.body as { data: { to: number } }).data.to === 10)!.body as { data: Record<string, unknown> }).data.from = '1';
    for (const altered of [odd, malformed]) {
      const report = verifyTrail(altered, { keys });
      expect(report.exitCode).toBe(1);
      expect(report.streams[0]!.forgedDigests).toHaveLength(1);
      expect(report.streams[0]!.forgedDigests[0]!.reason).toMatch(/no signer writes|not those of a digest/);
    }
  });

  it('verifies several instances together, one chain each, and follows a key rotation', async () => {
    const second = keyPair();
    const audit = createAuditLogger({ catalog, endpoint: receiver.endpoint, protocol: 'http/json', integrity: { key: first.privatePem, digestEvery: 4 }, warnOnExportError: false });
    const before = receiver.records.length;
    for (let i = 0; i < 6; i++) audit.emit('auth.login', { actor: { id: `u-${i}` } });
    await audit.integrity!.rotate(second.privatePem);
    for (let i = 0; i < 6; i++) audit.emit('auth.login', { actor: { id: `v-${i}` } });
    await audit.shutdown();
    const rotated = receiver.records.slice(before).map((r, i) => ({ body: r.body, where: `rotated#${i}` }));
    const other = await emitTrail(7);
    const report = verifyTrail([...trail, ...rotated, ...other], { keys }); // only the first public key is given
    expect(report.streams).toHaveLength(3);
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('reads the trail back from text in each form a destination stores', () => {
    const bodies = trail.map((r) => r.body);
    const ndjson = bodies.map((b) => JSON.stringify(b)).join('\n');
    const hec = bodies.map((b) => JSON.stringify({ time: 1, event: b, fields: {} })).join('\n');
    const search = JSON.stringify({ hits: { hits: bodies.map((b) => ({ _source: { body: b } })) } });
    for (const text of [ndjson, hec, search]) {
      const { records, unreadable } = readTrail(text, 'x');
      expect(unreadable).toEqual([]);
      expect(verifyTrail(records, { keys }).ok).toBe(true);
    }
    const { unreadable } = readTrail('{"name":"a"}\nnot json\n', 'f.jsonl');
    expect(unreadable).toMatchObject([{ where: 'f.jsonl:2' }]);
    expect(unreadable[0]!.reason).toMatch(/not JSON/);
  });

  it('names edits that change a record\'s shape (a member added, a value turned into an object or array, a type changed)', () => {
    // verify compiles canonical JSON for the shapes it has read; an edited shape must not slip past it
    const edits: ((body: Record<string, unknown>) => void)[] = [
      (body) => (body.extra = 'added'),
      (body) => ((body.data as Record<string, unknown>).forks = { count: 1 }),
      (body) => ((body.data as Record<string, unknown>).forks = [1]),
      (body) => ((body.data as Record<string, unknown>).forks = String((body.data as Record<string, unknown>).forks)),
      (body) => ((body.actor as Record<string, unknown>).id = { toJSON: 'u-x' }),
      (body) => ((body.data as Record<string, unknown>).repo = null),
      (body) => Object.defineProperty(body, '__proto__', { value: 1, enumerable: true }),
    ];
    for (const edit of edits) {
      const edited = clone(trail);
      edit(edited.find((r) => seqOf(r) === 12)!.body as Record<string, unknown>);
      const report = verifyTrail(edited, { keys });
      expect(report.exitCode).toBe(1);
      expect(report.streams[0]!.modified).toMatchObject([{ seq: 12 }]);
    }
  });

  it('reads OTLP requests for their bodies only, and reports a malformed one instead of failing', () => {
    const request = (bodies: unknown[]) => JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'x' } }] }, scopeLogs: [{ logRecords: bodies.map((body) => ({ body, attributes: [{ key: 'a', value: { stringValue: 'b' } }] })) }] }] });
    const anyValue = (value: unknown): unknown =>
      typeof value === 'string' ? { stringValue: value } : typeof value === 'number' ? (Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value }) : typeof value === 'boolean' ? { boolValue: value } : Array.isArray(value) ? { arrayValue: { values: value.map(anyValue) } } : { kvlistValue: { values: Object.entries(value as object).map(([key, v]) => ({ key, value: anyValue(v) })) } };
    const lines = [request(trail.slice(0, 10).map((r) => anyValue(r.body))), request(trail.slice(10).map((r) => anyValue(r.body)))].join('\n');
    const read = readTrail(lines, 'otlp.jsonl');
    expect(read.unreadable).toEqual([]);
    expect(verifyTrail(read.records, { keys })).toMatchObject({ ok: true, exitCode: 0 });
    const hostile = readTrail(`${request([{ arrayValue: { values: 5 } }])}\n${request([anyValue(trail[0]!.body)])}\n`, 'hostile.jsonl');
    expect(hostile.unreadable).toMatchObject([{ where: 'hostile.jsonl:1' }]);
    expect(hostile.unreadable[0]!.reason).toMatch(/not a well-formed record/);
    expect(hostile.records).toHaveLength(1);
  });

  it('says "nested too deeply" for a record nested past the stack, not the engine\'s own words', () => {
    const deep = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${'{"arrayValue":{"values":['.repeat(20_000)}${']}}'.repeat(20_000)}}]}]}]}`;
    expect(readTrail(deep, 'deep.jsonl').unreadable).toEqual([{ where: 'deep.jsonl:1', reason: 'not a well-formed record (values nested too deeply to read)' }]);
  });

  it('reads gzip files as the awss3 exporter writes its objects, and names a gzip bomb or a broken one instead of reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-read-gzip-'));
    const lines = trail.map((r) => JSON.stringify(r.body));
    // Two gzip members one after the other (objects concatenated), a line at a time once decompressed.
    const object = join(dir, 'audit-logs_1.txt.gz');
    writeFileSync(object, Buffer.concat([gzipSync(`${lines.slice(0, 10).join('\n')}\n`), gzipSync(lines.slice(10).join('\n'))]));
    const read = readTrailFile(object);
    expect(verifyTrail(read.records, { keys })).toMatchObject({ ok: true, exitCode: 0 });
    expect(read.unreadable).toEqual([]);
    // The same bytes from code.
    expect(verifyTrail(readTrail(readFileSync(object), 'object').records, { keys }).ok).toBe(true);
    // A one-record edit inside the gzip is found as in plain text.
    const edited = join(dir, 'edited.txt.gz');
    writeFileSync(edited, gzipSync(lines.map((line) => line.replace('"u-3"', '"u-33"')).join('\n')));
    expect(verifyTrail(readTrailFile(edited).records, { keys }).streams[0]!.modified).toMatchObject([{ seq: 4 }]);
    const broken = join(dir, 'broken.gz');
    writeFileSync(broken, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7]));
    const unreadableGzip = readTrailFile(broken).unreadable;
    expect(unreadableGzip).toHaveLength(1);
    expect(unreadableGzip[0]!.where).toBe(broken);
    expect(unreadableGzip[0]!.reason).toMatch(/^not a readable gzip file/);
    // 600 MiB of zeros in about 600 KiB: refused at the limit, not read into memory whole.
    const bomb = join(dir, 'bomb.gz');
    const gzip = createGzip({ level: 1 });
    const written = pipeline(gzip, createWriteStream(bomb));
    const zeros = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 600; i++) if (!gzip.write(zeros)) await once(gzip, 'drain');
    gzip.end();
    await written;
    const refused = readTrailFile(bomb);
    expect([...refused.records]).toEqual([]);
    expect(refused.unreadable[0]!.reason).toMatch(/decompresses to more than 512 MiB/);
  }, 60_000);

  it('reads a file a line at a time: lines longer than a read, a torn last line, a pretty-printed document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-read-file-'));
    const bodies = trail.map((r) => r.body as Record<string, unknown>);
    // One line longer than the 1 MiB read size: the same records, padded with a long string in an extra field of a HEC event.
    const long = JSON.stringify({ time: 1, event: bodies[0], fields: { pad: 'x'.repeat(1_500_000) } });
    const file = join(dir, 'trail.jsonl');
    writeFileSync(file, [long, ...bodies.slice(1).map((b) => JSON.stringify(b)), '{"torn":'].join('\n'));
    const read = readTrailFile(file);
    const report = verifyTrail(read.records, { keys });
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
    expect(read.unreadable).toMatchObject([{ where: `${file}:${bodies.length + 1}` }]);
    const pretty = join(dir, 'search.json');
    writeFileSync(pretty, JSON.stringify({ hits: { hits: bodies.map((b) => ({ _source: { body: b } })) } }, null, 2));
    const document = readTrailFile(pretty);
    expect(document.unreadable).toEqual([]);
    expect(verifyTrail(document.records, { keys }).ok).toBe(true);
  });

  it('handles a trail of 200,000 records in one stream (no spread of every sequence number onto the stack)', () => {
    const big: TrailRecord[] = Array.from({ length: 200_000 }, (_, i) => ({ body: { name: 'x', integrity: { stream: 's', seq: i + 1, prev: '0'.repeat(64) } }, where: `#${i}` }));
    const report = verifyTrail(big, { keys });
    expect(report.streams[0]!.lastSeq).toBe(200_000);
    expect(report.exitCode).toBe(1); // the links are not real hashes: every record but the last is reported modified
  });
});
