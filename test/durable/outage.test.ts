// Real processes: the receiver is down for 30 seconds while a child emits at a
// steady rate, then comes up. Nothing is lost, and the child's memory stays
// bounded throughout: the backlog lives on disk, not in the heap.
import { describe, expect, it } from 'vitest';
import { freePort } from '../harness/ports.js';
import { startChild, startReceiver, tempDir } from './helpers.js';

describe('a 30-second outage of the destination', () => {
  it('loses nothing and keeps memory bounded while the backlog grows on disk', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hook`;
    const total = 16_000; // 400/s for 40 s, about 6 KB each: over 70 MB of backlog after 30 s
    const child = startChild(['outage', tempDir(), url, String(total), '400'], { SPOOL_CHILD_PADDING: '6000' });
    await child.next((l) => typeof l.t === 'number' && l.t >= 30_000, 60_000);
    const receiver = await startReceiver(port);
    const done = await child.next((l) => 'drained' in l, 90_000);
    expect(await child.exited).toBe(0);
    await receiver.close();

    const samples = child.lines.filter((l) => typeof l.rss === 'number' && typeof l.t === 'number') as { t: number; rss: number; heapUsed: number; queued: number }[];
    const during = samples.filter((s) => s.t <= 30_000);
    const early = during.find((s) => s.t >= 5_000)!;
    const late = during[during.length - 1]!;
    const peakRss = Math.max(...during.map((s) => s.rss));
    const peakHeap = Math.max(...during.map((s) => s.heapUsed));
    const backlogAdded = (late.queued - early.queued) * 6000;
    const mb = (n: number) => Math.round(n / 2 ** 20);
    console.log(`outage: backlog ${early.queued} → ${late.queued} records (+${mb(backlogAdded)} MB on disk) while RSS went ${mb(early.rss)} → ${mb(late.rss)} MB (peak ${mb(peakRss)} MB, heap used peak ${mb(peakHeap)} MB); draining: RSS peak ${mb(Math.max(...samples.map((s) => s.rss)))} MB, heap used peak ${mb(Math.max(...samples.map((s) => s.heapUsed)))} MB`);
    expect(done).toMatchObject({ drained: true, stats: { queuedRecords: 0, droppedRecords: 0 } });
    expect(late.queued).toBeGreaterThan(10_000);
    // The backlog lives on disk: RSS grows by well under what holding it in memory would take (at least
    // the backlog's own size). Half, not less: on a loaded machine the child emits less, so the backlog
    // is smaller, while V8's own heap growth (young generation, code) stays about the same (~25 MB).
    expect(backlogAdded).toBeGreaterThan(50 * 2 ** 20);
    expect(peakRss - early.rss).toBeLessThan(backlogAdded / 2);
    expect(peakHeap).toBeLessThan(64 * 2 ** 20);
    // Draining sends 1 MB batches back to back: V8 grows its heap reservation (RSS), but the live
    // heap stays bounded by the batch size, not the backlog.
    expect(Math.max(...samples.map((s) => s.rss))).toBeLessThan(450 * 2 ** 20);
    expect(Math.max(...samples.map((s) => s.heapUsed))).toBeLessThan(160 * 2 ** 20);
    const ids = new Set(receiver.ids());
    expect(ids.size).toBe(total);
    console.log(`outage: ${ids.size} distinct delivered, ${receiver.ids().length - ids.size} duplicates`);
  }, 150_000);
});
