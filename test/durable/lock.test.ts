// One process per spool directory, across PID namespaces and hosts that share a
// volume: the lock is a lease (owner token, hostname, pid, heartbeat). A pid that does
// not exist here proves nothing about a holder in another namespace; only an old
// heartbeat does. A holder whose lock file was replaced stops writing and sending,
// and nothing spins.
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, SpoolLockedError, type DurableLogRecordProcessor } from '../../src/delivery/index.js';
import { emitEvent, loggerWith, startReceiver, tempDir, waitFor, type Receiver } from './helpers.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'lock-child.ts');

/** A pid that no process has on this host. */
function deadPid(): number {
  for (let pid = 3_999_999; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

/** A lock file as a process in another container (PID namespace) or on another host writes it. */
function foreignLock(heartbeatMillis: number, pid = deadPid()): string {
  return `${JSON.stringify({ token: 'f00dfeedf00dfeedf00dfeedf00dfeed', hostname: 'audit-worker-b', pid, namespace: '6f1c2a5e-0000-4000-8000-000000000000 pid:[4026532999]', leaseMillis: 15_000, heartbeatMillis })}\n`;
}

const nowhere = () => createWebhookExporter({ url: 'http://127.0.0.1:9/none' });

/** Runs fixtures/lock-child.ts (optionally under `unshare --pid --fork`) and resolves with its first line. */
function runChild(dir: string, holdMillis: number, ownPidNamespace: boolean): { line: Promise<Record<string, unknown>>; pid: () => number | undefined; kill: () => void; exited: Promise<number | null> } {
  const node = [process.execPath, '--import', 'tsx', CHILD, dir, String(holdMillis)];
  const child = ownPidNamespace ? spawn('unshare', ['--pid', '--fork', ...node], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(node[0]!, node.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const line = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (text) => resolve(JSON.parse(text) as Record<string, unknown>));
    void exited.then((code) => setTimeout(() => reject(new Error(`lock child exited (${code}) without a line; stderr:\n${stderr}`)), 100));
  });
  return { line, pid: () => child.pid, kill: () => child.kill('SIGKILL'), exited };
}

describe('the spool lock (a lease)', () => {
  let processor: DurableLogRecordProcessor | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await processor?.shutdown(1000);
    processor = undefined;
    await receiver?.close();
    receiver = undefined;
  });

  it('refuses to start while a holder in another PID namespace has a fresh heartbeat, although its pid does not exist here', () => {
    const dir = tempDir();
    const pid = deadPid();
    const lock = foreignLock(Date.now() - 3000, pid);
    writeFileSync(join(dir, 'lock'), lock);
    let error: unknown;
    try {
      processor = createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpoolLockedError);
    expect(error).toMatchObject({ code: 'SPOOL_LOCKED', directory: dir, pid, hostname: 'audit-worker-b' });
    expect((error as Error).message).toMatch(new RegExp(`audit spool ${dir} is in use by process ${pid} on host audit-worker-b \\(lease renewed 3 s ago; if that process is gone, the lock may be taken over in 12 s\\)`));
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(lock); // untouched
  });

  it('takes over a lock whose heartbeat is older than the lease (lockLeaseMillis)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lock'), foreignLock(Date.now() - 16_000));
    receiver = await startReceiver();
    // A longer lease of ours wins over the holder's: 16 s old is not stale for a 20 s lease.
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir, lockLeaseMillis: 20_000 })).toThrow(SpoolLockedError);
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir });
    const lock = JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as { pid: number; token: string; heartbeatMillis: number; hostname: string };
    expect(lock).toMatchObject({ pid: process.pid, leaseMillis: 15_000 });
    expect(lock.token).toMatch(/^[0-9a-f]{32}$/);
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'after-take-over');
    expect(await processor.flush(5000)).toBe(true);
    expect(receiver.ids()).toEqual(['after-take-over']);
  });

  it('takes over at once after its holder was killed (same boot and PID namespace, pid gone), as a restart after kill -9 needs', async () => {
    const dir = tempDir();
    const holder = runChild(dir, 60_000, false);
    expect(await holder.line).toMatchObject({ started: true });
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow(SpoolLockedError); // alive: refused
    holder.kill();
    await holder.exited;
    processor = createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir });
    expect((JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as { pid: number }).pid).toBe(process.pid);
  });

  it('a process in a PID namespace of its own (unshare --pid: another container) is refused while this one holds the directory, and starts once it is released', async () => {
    const dir = tempDir();
    processor = createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir });
    const refused = await runChild(dir, 0, true).line;
    expect(refused).toMatchObject({ error: 'SpoolLockedError', code: 'SPOOL_LOCKED' });
    expect(String(refused.message)).toContain(`in use by process ${process.pid}`);
    await processor.shutdown();
    processor = undefined;
    const started = runChild(dir, 0, true);
    expect(await started.line).toMatchObject({ started: true, pid: 1 }); // pid 1: it really has its own PID namespace
    await started.exited;
  }, 30_000);

  it('respects a lock of an older version (a bare pid) while that process lives', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lock'), String(process.ppid));
    expect(() => createDurableLogRecordProcessor({ exporter: nowhere(), directory: dir })).toThrow(SpoolLockedError);
  });

  it('renews its heartbeat, and once its lock file is replaced it stops: emit throws SpoolLockedError naming the other owner, nothing is sent, and the CPU stays idle', async () => {
    receiver = await startReceiver();
    const dir = tempDir();
    processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: dir, lockLeaseMillis: 5000 });
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'before');
    expect(await processor.flush(5000)).toBe(true);
    const first = (JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as { heartbeatMillis: number }).heartbeatMillis;
    await waitFor(() => (JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as { heartbeatMillis: number }).heartbeatMillis > first, 3000, 'a renewed heartbeat');

    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      processor.pause();
      for (let i = 0; i < 5; i++) emitEvent(logger, `queued-${i}`);
      // Another process takes the directory over (as one on another host would: rename over it).
      const other = foreignLock(Date.now(), 4242);
      writeFileSync(join(dir, 'lock.other'), other);
      renameSync(join(dir, 'lock.other'), join(dir, 'lock'));
      const ackBefore = statSync(join(dir, 'ack.json')).mtimeMs;

      let error: unknown;
      await waitFor(() => {
        try {
          emitEvent(logger, 'probe');
          return false;
        } catch (e) {
          error = e;
          return true;
        }
      }, 5000, 'emit to refuse after the lock was lost');
      expect(error).toBeInstanceOf(SpoolLockedError);
      expect((error as Error).message).toBe(`audit spool ${dir}: this process lost the directory's lock to process 4242 on host audit-worker-b; it stopped writing and sending, and records emitted from now on are NOT written. Each process needs its own spool directory`);
      expect(() => emitEvent(logger, 'again')).toThrow(SpoolLockedError);
      await waitFor(() => warnings.some((w) => w.includes('lost the directory')), 1000, 'the warning');

      // The sender stopped: resuming sends nothing, and flush says so at once.
      processor.resume();
      expect(await processor.flush(5000)).toBe(false);
      // Nothing spins: the process is idle.
      const cpu = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 1000));
      const used = process.cpuUsage(cpu);
      console.log(`lost lock: ${Math.round((used.user + used.system) / 1000)} ms of CPU in the next 1000 ms`);
      expect(used.user + used.system).toBeLessThan(150_000);
      expect(receiver.ids()).toEqual(['before']);

      // It writes nothing more: the other owner's lock and the ack stay as they are, even after shutdown.
      await processor.shutdown();
      processor = undefined;
      expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(other);
      expect(statSync(join(dir, 'ack.json')).mtimeMs).toBe(ackBefore);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
