// SIGKILL of an emitting service mid-stream, with the durable spool and
// integrity on: after a restart replays the spool, `verify` finds no gap and
// nothing modified; the killed stream's last records are an unsigned tail
// (its final digest never came), the restarted stream is proven intact.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicKeys, verifyTrail } from '../../src/integrity/index.js';
import { startOtlpReceiver } from '../../src/testing/index.js';

const CHILD = join(import.meta.dirname, 'fixtures-child.ts');

function child(args: string[]) {
  const process_ = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: join(import.meta.dirname, '..', '..') });
  let stdout = '';
  let stderr = '';
  process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const printed = (text: string) => new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (stdout.includes(text)) {
        clearInterval(timer);
        resolve();
      } else if (process_.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`child exited ${process_.exitCode}: ${stderr}`));
      }
    }, 20);
  });
  return { process: process_, printed };
}

describe('integrity across a SIGKILL with the durable spool', () => {
  it('leaves no gap after the restart replays the spool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-integrity-crash-'));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const spool = join(dir, 'spool');
    // The receiver refuses everything at first, so the killed child's records are all still in its spool.
    let accepting = false;
    const receiver = await startOtlpReceiver({ respond: () => (accepting ? 200 : 503) });
    try {
      const first = child([spool, receiver.endpoint, '35', keyFile, '1']);
      await first.printed('EMITTED');
      first.process.kill('SIGKILL');
      await new Promise((resolve) => first.process.once('exit', resolve));
      accepting = true;
      const second = child([spool, receiver.endpoint, '12', keyFile, '0']);
      await second.printed('DONE');
      const report = verifyTrail(receiver.records.map((r, i) => ({ body: r.body, where: `received#${i}` })), { keys: publicKeys([publicKey.export({ type: 'spki', format: 'pem' }).toString()]) });
      expect(report.unchained).toEqual([]);
      expect(report.streams).toHaveLength(2);
      const [killed, restarted] = [...report.streams].sort((a, b) => b.lastSeq - a.lastSeq);
      expect(killed).toMatchObject({ records: 35, gaps: [], modified: [], forgedDigests: [], missingDigests: [] });
      expect(killed!.intact[0]).toEqual({ from: 1, to: 30 });
      expect(killed!.unsignedTail).toEqual({ from: 31, to: 35 });
      expect(restarted).toMatchObject({ records: 12, gaps: [], modified: [], intact: [{ from: 1, to: 12 }] });
      expect(report.exitCode).toBe(2); // nothing lost or altered; the killed stream's tail was never signed
    } finally {
      await receiver.close();
    }
  });
});
