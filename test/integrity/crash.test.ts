// SIGKILL of an emitting service mid-stream, with the durable spool and
// integrity on: the restarted service reads its chain's head back from the
// spool and continues the same stream (same id, next sequence number, prev =
// the last record's hash), so `verify` proves one stream with no gap and no
// fork, whether the killed service's records were still in the spool or
// already delivered (and their segments deleted).
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { createAuditLogger, defineCatalog } from '../../src/index.js';
import { resumeFromSpool } from '../../src/emit/integrity.js';
import { canonicalJson, sha256 } from '../../src/integrity/canonical.js';
import { DIGEST_EVENT, publicKeys, verifyTrail } from '../../src/integrity/index.js';
import { startOtlpReceiver } from '../../src/testing/index.js';

const CHILD = join(import.meta.dirname, 'fixtures-child.ts');

function child(args: string[]) {
  const process_ = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: join(import.meta.dirname, '..', '..') });
  let stdout = '';
  let stderr = '';
  process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const printed = (text: string) => new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const line = stdout.split('\n').find((l) => l.startsWith(text));
      if (line) {
        clearInterval(timer);
        resolve(line.slice(text.length).trim());
      } else if (process_.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`child exited ${process_.exitCode}: ${stderr}`));
      }
    }, 20);
  });
  return { process: process_, printed };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'otel-audit-integrity-crash-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { dir, keyFile, spool: join(dir, 'spool'), keys: publicKeys([publicKey.export({ type: 'spki', format: 'pem' }).toString()]) };
}

async function kill(started: ReturnType<typeof child>) {
  started.process.kill('SIGKILL');
  await new Promise((resolve) => started.process.once('exit', resolve));
}

describe('integrity across a SIGKILL with the durable spool', () => {
  it('continues the stream from the spooled head: one stream, no gap, proven intact', async () => {
    const { spool, keyFile, keys } = setup();
    // The receiver refuses everything at first, so the killed child's records are all still in its spool.
    let accepting = false;
    const receiver = await startOtlpReceiver({ respond: () => (accepting ? 200 : 503) });
    try {
      const first = child([spool, receiver.endpoint, '35', keyFile, '1']);
      const stream = await first.printed('EMITTED');
      await kill(first);
      accepting = true;
      const second = child([spool, receiver.endpoint, '12', keyFile, '0']);
      expect(await second.printed('DONE')).toBe(stream); // the same stream id
      const report = verifyTrail(receiver.records.map((r, i) => ({ body: r.body, where: `received#${i}` })), { keys });
      expect(report.unchained).toEqual([]);
      expect(report.streams).toHaveLength(1);
      // 35 records before the kill, 12 after: seq 36-47 follow 35, the final digest signs 31-47 after the killed stream's digest of 21-30
      expect(report.streams[0]).toMatchObject({ stream, records: 47, lastSeq: 47, gaps: [], modified: [], forgedDigests: [], missingDigests: [], intact: [{ from: 1, to: 47 }] });
      expect(report.streams[0]!.unsignedTail).toBeUndefined();
      expect(report.exitCode).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('continues it when everything was delivered and the delivered segments deleted before the kill', async () => {
    const { spool, keyFile, keys } = setup();
    const receiver = await startOtlpReceiver();
    try {
      // Small segments: a few records each, so delivered ones are deleted; the newest digest's segment and later ones stay.
      const first = child([spool, receiver.endpoint, '35', keyFile, '2', '8192']);
      const stream = await first.printed('EMITTED');
      // Until the acknowledgement is persisted and the delivered segments deleted (a loaded machine takes longer).
      const segmentsLeft = () => readdirSync(spool).filter((name) => name.startsWith('segment-')).length;
      for (const started = Date.now(); segmentsLeft() >= 8 && Date.now() - started < 15_000; ) await new Promise((resolve) => setTimeout(resolve, 50));
      const segments = segmentsLeft();
      await kill(first);
      expect(segments).toBeGreaterThan(0);
      expect(segments).toBeLessThan(8); // most of the 35 records' segments are gone
      const second = child([spool, receiver.endpoint, '12', keyFile, '0', '8192']);
      expect(await second.printed('DONE')).toBe(stream);
      const report = verifyTrail(receiver.records.map((r, i) => ({ body: r.body, where: `received#${i}` })), { keys });
      expect(report.streams).toHaveLength(1);
      expect(report.streams[0]).toMatchObject({ stream, records: 47, gaps: [], modified: [], forgedDigests: [], missingDigests: [], intact: [{ from: 1, to: 47 }] });
      expect(report.exitCode).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('continues it after a clean shutdown whose closing digest covers no new record, and the stream ends closed', async () => {
    const { spool, keyFile, keys } = setup();
    const receiver = await startOtlpReceiver();
    try {
      // 30 records, digests at 10, 20 and 30: the closing digest covers no new record and is all
      // the stream's state the spool may keep once the rest is delivered.
      const first = child([spool, receiver.endpoint, '30', keyFile, '0', '8192']);
      const stream = await first.printed('DONE');
      const second = child([spool, receiver.endpoint, '5', keyFile, '0', '8192']);
      expect(await second.printed('DONE')).toBe(stream);
      const report = verifyTrail(receiver.records.map((r, i) => ({ body: r.body, where: `received#${i}` })), { keys, through: new Date(Date.now() + 3600_000) });
      expect(report.streams).toHaveLength(1);
      expect(report.streams[0]).toMatchObject({ stream, records: 35, gaps: [], modified: [], forgedDigests: [], missingDigests: [], intact: [{ from: 1, to: 35 }], closed: true });
      expect(report.exitCode).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('resumes from the newest record when records stamped while a digest was signed came before it in the spool', async () => {
    const { keyFile } = setup();
    const catalog = defineCatalog({ domain: 'acme.audit', events: { 'user.login': { description: 'A user logged in.' } } });
    const exporter = new InMemoryLogRecordExporter();
    const audit = createAuditLogger({ catalog, exporter, integrity: { key: `file:${keyFile}`, digestEvery: 10 } });
    // The digest of 1-10 is signed after this synchronous loop: records 11 and 12 are queued before it.
    for (let i = 0; i < 12; i++) audit.emit('user.login', { actor: { id: `u-${i}` } });
    for (let tries = 0; exporter.getFinishedLogRecords().length < 13 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await audit.flush();
    }
    const spooled = exporter.getFinishedLogRecords();
    expect(spooled.map((r) => (r.eventName === DIGEST_EVENT ? 'digest' : (r.body as { integrity: { seq: number } }).integrity.seq)).slice(-3)).toEqual([11, 12, 'digest']);
    const twelfth = spooled[11]!.body as Record<string, unknown>;
    expect(resumeFromSpool(spooled)).toMatchObject({ seq: 12, head: sha256(canonicalJson(twelfth)), signedTo: 10 });
    // Only the digest left (the records' segments delivered and deleted): it says where the chain stood
    // when it was emitted, so the restart goes on after 12, not after the 10 it signs.
    const digest = spooled[12]!.body as { data: { head: string; signature: string } };
    expect(resumeFromSpool([spooled[12]!])).toEqual({ stream: audit.integrity!.stream, seq: 12, head: sha256(canonicalJson(twelfth)), signedTo: 10, previousSignature: digest.data.signature });
    await audit.shutdown();
  });

  it('refuses a spool folder that other users can write to, so no one else can plant a head', () => {
    const { dir, keyFile } = setup();
    const spool = join(dir, 'shared');
    mkdirSync(spool);
    chmodSync(spool, 0o777);
    const catalog = defineCatalog({ domain: 'acme.audit', events: { 'user.login': { description: 'A user logged in.' } } });
    expect(() => createAuditLogger({ catalog, exporter: new InMemoryLogRecordExporter(), durable: { directory: spool }, integrity: { key: `file:${keyFile}` } })).toThrow(/writable by every user/);
  });
});
