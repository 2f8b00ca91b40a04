// Webhook destinations against a real local HTTP server: signatures verify
// (including during a secret rotation), tampering, wrong secrets and stale
// timestamps are rejected, Retry-After is honoured, and a failing destination
// is auto-disabled with its state visible in `deliveries list` and the metrics.
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, readTargetStates, verifyWebhook, WEBHOOK_HEADERS } from '../../src/delivery/index.js';
import { emitEvent, loggerWith, metricsProbe, startReceiver, tempDir, waitFor, type Receiver, cli } from './helpers.js';


describe('webhook destinations', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('signs every request so receivers verify it, before, during and after a secret rotation', async () => {
    receiver = await startReceiver();
    const dir = tempDir();
    const exporter = createWebhookExporter({
      url: `${receiver.url}?tenant=acme`,
      verificationToken: 'gitlab-style-token-123',
      apiKey: { in: 'query', name: 'api_key', value: 'k-query' },
      headers: { 'x-custom': 'yes' },
      hmac: { secrets: ['new-secret', 'old-secret'] },
    });
    const processor = createDurableLogRecordProcessor({ exporter, directory: dir });
    const { logger } = loggerWith(processor);
    for (let i = 0; i < 3; i++) emitEvent(logger, `sig-${i}`, { data: { n: i } });
    await processor.flush(10_000);
    await processor.shutdown();

    expect(receiver.requests).toHaveLength(3); // batch: false → one event per request
    for (const request of receiver.requests) {
      expect(JSON.parse(request.body)).toMatchObject({ name: 'repo.fork' });
      expect(request.url).toContain('api_key=k-query');
      expect(request.url).toContain('tenant=acme');
      expect(request.headers['x-custom']).toBe('yes');
      expect(request.headers['idempotency-key']).toBe((JSON.parse(request.body) as { id: string }).id);
      expect(request.headers[WEBHOOK_HEADERS.signature]).toMatch(/^[0-9a-f]{64}, [0-9a-f]{64}$/);
      const now = Number(request.headers[WEBHOOK_HEADERS.timestamp]) * 1000;
      // A receiver that knows only the old secret, only the new one, or both, accepts it.
      for (const secrets of [['old-secret'], ['new-secret'], ['new-secret', 'old-secret']]) {
        expect(verifyWebhook({ headers: request.headers, body: request.body }, { secrets, verificationToken: 'gitlab-style-token-123', now })).toEqual({ ok: true, timestamp: now / 1000 });
      }
      expect(verifyWebhook({ headers: request.headers, body: request.body.replace('repo.fork', 'repo.forK') }, { secrets: ['new-secret'], now })).toMatchObject({ ok: false, reason: expect.stringMatching(/tampered/) as string });
      expect(verifyWebhook({ headers: request.headers, body: request.body }, { secrets: ['wrong-secret'], now })).toMatchObject({ ok: false });
      expect(verifyWebhook({ headers: request.headers, body: request.body }, { secrets: ['new-secret'], now: now + 301_000 })).toMatchObject({ ok: false, reason: expect.stringMatching(/stale/) as string });
      expect(verifyWebhook({ headers: request.headers, body: request.body }, { secrets: ['new-secret'], verificationToken: 'other-token-000000', now })).toMatchObject({ ok: false });
      // A replay with a fresh timestamp but the old signature fails too.
      const replay = { ...request.headers, [WEBHOOK_HEADERS.timestamp]: String(now / 1000 + 60) };
      expect(verifyWebhook({ headers: replay, body: request.body }, { secrets: ['new-secret'], now })).toMatchObject({ ok: false });
    }
  });

  it('batches events into arrays of at most maxEvents and sends the API key as a header', async () => {
    receiver = await startReceiver();
    const exporter = createWebhookExporter({ url: receiver.url, batch: { maxEvents: 3 }, apiKey: { in: 'header', name: 'x-api-key', value: 'k-header' } });
    const processor = createDurableLogRecordProcessor({ exporter, directory: tempDir() });
    processor.pause();
    const { logger } = loggerWith(processor);
    for (let i = 0; i < 7; i++) emitEvent(logger, `b-${i}`);
    processor.resume();
    await processor.flush(10_000);
    await processor.shutdown();
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as unknown[]).length)).toEqual([3, 3, 1]);
    expect(receiver.requests.every((r) => r.headers['x-api-key'] === 'k-header')).toBe(true);
    expect(receiver.ids()).toEqual(Array.from({ length: 7 }, (_, i) => `b-${i}`));
  });

  it('works without the spool, under the SDK BatchLogRecordProcessor', async () => {
    receiver = await startReceiver();
    const processor = new BatchLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true, hmac: { secrets: ['k'] } }) });
    const { provider, logger } = loggerWith(processor);
    for (let i = 0; i < 5; i++) emitEvent(logger, `blrp-${i}`);
    await provider.forceFlush();
    await provider.shutdown();
    expect(receiver.ids()).toEqual(['blrp-0', 'blrp-1', 'blrp-2', 'blrp-3', 'blrp-4']);
    expect(verifyWebhook(receiver.requests[0]!, { secrets: ['k'] }).ok).toBe(true);
  });

  it('waits as long as Retry-After asks on a 429 and then delivers', async () => {
    let answered = 0;
    receiver = await startReceiver(0, () => (answered++ === 0 ? { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' } : { status: 200 }));
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter({ url: receiver.url, batch: true }), directory: tempDir(), retry: { initialMillis: 10, maxMillis: 50 } });
    const { logger } = loggerWith(processor);
    const started = Date.now();
    emitEvent(logger, 'ra-1');
    await processor.flush(10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(receiver.ids()).toEqual(['ra-1']);
    await processor.shutdown();
  });

  it('auto-disables after the failure threshold, keeps the records, shows it in deliveries list and the metrics, and resumes when enabled', async () => {
    let healthy = false;
    receiver = await startReceiver(0, () => (healthy ? { status: 200 } : { status: 503, body: 'down for maintenance' }));
    const dir = tempDir();
    const probe = metricsProbe();
    const exporter = createWebhookExporter({ url: receiver.url, batch: true, failureThreshold: 3 });
    const processor = createDurableLogRecordProcessor({ exporter, directory: dir, retry: { initialMillis: 20, maxMillis: 100 }, meterProvider: probe.meterProvider });
    const { logger } = loggerWith(processor);
    for (let i = 0; i < 5; i++) emitEvent(logger, `dis-${i}`);
    await waitFor(() => exporter.targetStatus().disabled, 10_000, 'auto-disable');
    expect(readTargetStates(dir)[`${receiver.url}`]).toMatchObject({ disabled: true, consecutiveFailures: 3 });
    const metrics = await probe.read();
    expect(metrics['otel_audit.target.disabled']).toBe(1);
    expect(metrics['otel_audit.spool.queued_records']).toBe(5);
    expect(metrics['otel_audit.spool.export_failures']).toBeGreaterThanOrEqual(3);
    expect(metrics['otel_audit.spool.oldest_record_age']).toBeGreaterThan(0);

    const listed = await cli(['deliveries', 'list', '--dir', dir, '--failed', '--since', '1h', '--json']);
    expect(listed.status, listed.stderr).toBe(0);
    const report = JSON.parse(listed.stdout) as { targets: Record<string, { disabled: boolean }>; entries: { outcome: string; status?: number }[] };
    expect(report.targets[receiver.url]?.disabled).toBe(true);
    expect(report.entries.filter((e) => e.outcome === 'failure' && e.status === 503).length).toBeGreaterThanOrEqual(3);
    expect(report.entries.some((e) => e.outcome === 'disabled')).toBe(true);
    expect((await cli(['deliveries', 'list', '--dir', dir])).stdout).toMatch(/DISABLED since/);

    healthy = true;
    const enabled = await cli(['deliveries', 'enable', '--dir', dir, '--target', receiver.url]);
    expect(enabled.status, enabled.stderr).toBe(0);
    await processor.flush(10_000);
    expect(receiver.ids().sort()).toEqual(['dis-0', 'dis-1', 'dis-2', 'dis-3', 'dis-4']);
    expect((await probe.read())['otel_audit.target.disabled']).toBe(0);
    await processor.shutdown();
  });

  it('`webhook test` sends one signed event and reports status, time and body', async () => {
    receiver = await startReceiver(0, (request) => {
      const verdict = verifyWebhook(request, { secrets: ['s3cret'], verificationToken: 'tok-1234567890abcdef' });
      return verdict.ok ? { status: 200, body: 'verified' } : { status: 401, body: verdict.reason };
    });
    const ok = await cli(['webhook', 'test', receiver.url, '--secret', 's3cret', '--token', 'tok-1234567890abcdef', '--header', 'x-env=test']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^OK 200 in \d+ ms \(event [0-9a-f-]{36}\)\nverified\n$/);
    expect(receiver.requests[0]?.headers['x-env']).toBe('test');
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ name: 'otel_audit.webhook.test' });
    const bad = await cli(['webhook', 'test', receiver.url, '--secret', 'wrong', '--token', 'tok-1234567890abcdef']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^FAILED 401 .*\nno signature matches/);
    expect((await cli(['webhook', 'test', '--help'])).stdout).toMatch(/--secret/);
  });
});
