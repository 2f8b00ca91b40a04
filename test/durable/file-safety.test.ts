// The spool holds audit data and may sit in a folder other local users can write
// to. Its directory is 0700 and every file 0600 (whatever the umask); a directory of
// another user, or one group or others may write, is refused; and no file is opened
// through a symlink: a segment or ack.json.tmp planted as a symlink makes the spool
// refuse, and the file the symlink points to stays exactly as it was.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, SpoolOptionError, SpoolWriteError, type DurableLogRecordProcessor } from '../../src/delivery/index.js';
import { scanSegment, segmentName } from '../../src/delivery/durable/segment-log.js';
import { emitEvent, loggerWith, startReceiver, tempDir, waitFor, type Receiver } from './helpers.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const nowhere = () => createWebhookExporter({ url: 'http://127.0.0.1:9/none' });

/** A file outside the spool that an attacker would like the spool to overwrite. */
function victim(): { path: string; content: string } {
  const path = join(tempDir('otel-audit-victim-'), 'precious.txt');
  const content = 'owned by someone else, must never change\n';
  writeFileSync(path, content);
  return { path, content };
}

describe('spool file safety', () => {
  let processor: DurableLogRecordProcessor | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await processor?.shutdown(1000);
    processor = undefined;
    await receiver?.close();
    receiver = undefined;
  });

  it('creates the directory 0700 and every file 0600, even under umask 000', async () => {
    const previous = process.umask(0);
    try {
      receiver = await startReceiver(0, (request) => (request.body.includes('poison') ? { status: 400 } : { status: 200 }));
      const dir = join(tempDir(), 'new', 'spool');
      processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: 4096 });
      processor.pause();
      const { logger } = loggerWith(processor);
      for (let i = 0; i < 20; i++) emitEvent(logger, i === 10 ? 'poison' : `m-${i}`, { padding: 'm'.repeat(200) });
      await processor.shutdown();
      // Damage one record so that the next start quarantines it.
      const file = join(dir, segmentName(1));
      const data = readFileSync(file);
      data[scanSegment(data).frames[1]!.start + 20]! ^= 1;
      writeFileSync(file, data);
      processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: 4096 });
      expect(await processor.flush(10_000)).toBe(true);
      await waitFor(() => existsSync(join(dir, 'ack.json')), 2000, 'ack.json');

      expect(mode(dir)).toBe('700');
      expect(mode(join(dir, 'quarantine'))).toBe('700');
      // targets.json is the webhook exporter's (src/delivery/webhook/state.ts), written with the umask's mode: not checked here.
      const files = [...readdirSync(dir).filter((n) => n !== 'quarantine' && n !== 'targets.json'), ...readdirSync(join(dir, 'quarantine')).map((n) => `quarantine/${n}`)];
      for (const name of ['lock', 'ack.json', 'deliveries.jsonl', 'dead-letter.jsonl', segmentName(3)]) expect(files).toContain(name);
      expect(files.some((n) => n.startsWith('quarantine/segment-'))).toBe(true);
      for (const name of files) expect(`${name} ${mode(join(dir, name))}`).toBe(`${name} 600`);
    } finally {
      process.umask(previous);
    }
  });

  it('narrows a file an older version created with a wider mode to 0600', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'deliveries.jsonl'), '');
    chmodSync(join(dir, 'deliveries.jsonl'), 0o644);
    receiver = await startReceiver(0, () => ({ status: 503 }));
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, retry: { initialMillis: 50, maxMillis: 100 } });
    emitEvent(loggerWith(processor).logger, 'x');
    await waitFor(() => readFileSync(join(dir, 'deliveries.jsonl'), 'utf8').includes('failure'), 5000, 'a failure entry');
    expect(mode(join(dir, 'deliveries.jsonl'))).toBe('600');
    expect(mode(join(dir, segmentName(1)))).toBe('600');
  });

  it('refuses a directory owned by another user', () => {
    const dir = tempDir();
    chownSync(dir, 65534, 65534);
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow(SpoolOptionError);
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow(`createDurableLogRecordProcessor: option directory ${dir} is owned by uid 65534, not by this process (uid ${process.getuid!()})`);
    expect(readdirSync(dir)).toEqual([]); // not even a lock was written
  });

  it('refuses a directory that group or others may write, and a directory path that is a symlink', () => {
    for (const [bits, who] of [[0o777, 'every user'], [0o770, 'its group']] as const) {
      const dir = tempDir();
      chmodSync(dir, bits);
      expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow(`is writable by ${who} (mode ${bits.toString(8)})`);
      expect(readdirSync(dir)).toEqual([]);
    }
    const real = tempDir();
    const link = join(tempDir(), 'spool-link');
    symlinkSync(real, link);
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: link })).toThrow(`${link} is a symbolic link`);
  });

  it('a segment planted as a symlink: refused at startup, and refused at rotation while running; the target never changes', async () => {
    const target = victim();
    const dir = tempDir();
    symlinkSync(target.path, join(dir, segmentName(1)));
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow(SpoolOptionError);
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow(`holds ${segmentName(1)} as a symbolic link`);
    expect(readFileSync(target.path, 'utf8')).toBe(target.content);
    unlinkSync(join(dir, segmentName(1)));

    // While running: the next segment is planted as a symlink before the log rolls over to it.
    receiver = await startReceiver();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, segmentBytes: 4096 });
    processor.pause();
    const { logger } = loggerWith(processor);
    symlinkSync(target.path, join(dir, segmentName(2)));
    const accepted: string[] = [];
    let error: unknown;
    for (let i = 0; i < 50 && !error; i++) {
      try {
        emitEvent(logger, `s-${i}`, { padding: 's'.repeat(300) });
        accepted.push(`s-${i}`);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(SpoolWriteError);
    expect((error as SpoolWriteError).systemCode).toBe('ELOOP');
    expect((error as Error).message).toContain(`could not append the record, it was NOT written: ${join(dir, segmentName(2))} is a symbolic link; the spool never opens a file through a symbolic link (remove it)`);
    expect(readFileSync(target.path, 'utf8')).toBe(target.content);
    unlinkSync(join(dir, segmentName(2)));
    emitEvent(logger, 'after', { padding: 's'.repeat(300) });
    processor.resume();
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toEqual([...accepted, 'after']);
  });

  it('ack.json.tmp planted as a symlink: refused at startup; while running the ack is kept in memory and the target never changes', async () => {
    const target = victim();
    const dir = tempDir();
    symlinkSync(target.path, join(dir, 'ack.json.tmp'));
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow(`holds ack.json.tmp as a symbolic link; the spool never writes through a symbolic link: remove ${join(dir, 'ack.json.tmp')}`);
    unlinkSync(join(dir, 'ack.json.tmp'));

    receiver = await startReceiver();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir });
    symlinkSync(target.path, join(dir, 'ack.json.tmp'));
    const { logger } = loggerWith(processor);
    for (let i = 0; i < 5; i++) emitEvent(logger, `a-${i}`);
    expect(await processor.flush(10_000)).toBe(true);
    expect(receiver.ids()).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(target.path, 'utf8')).toBe(target.content);
    expect(existsSync(join(dir, 'ack.json'))).toBe(false);
    unlinkSync(join(dir, 'ack.json.tmp')); // removed: the ack is written at the next retry
    await waitFor(() => existsSync(join(dir, 'ack.json')), 3000, 'ack.json');
    expect(readFileSync(target.path, 'utf8')).toBe(target.content);
  });

  it('refuses a special file under a spool name (a FIFO would block an open forever)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'lock'));
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow('holds lock, which is not a regular file');
  });
});
