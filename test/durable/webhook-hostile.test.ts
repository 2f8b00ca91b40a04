// Webhook destinations against hostile receivers and attackers, each with real
// local servers: a redirect to another origin gets nothing (no body, no key, no
// token); credentials in the URL are refused and secrets never reach a log line,
// an error or the delivery log; verifyWebhook refuses empty secrets and a
// non-finite tolerance, and with a replay cache rejects a replayed request; and
// which answers are final (400, 413, 422) and which are retried.
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createDurableLogRecordProcessor, createWebhookExporter, readTargetStates, sendWebhookTest, WebhookDeliveryError, WEBHOOK_HEADERS, type WebhookLogRecordExporter } from '../../src/delivery/index.js';
import { redactUrl, webhookRequest } from '../../src/delivery/webhook/exporter.js';
import { createReplayCache, signWebhookBody, verifyWebhook } from '../../src/delivery/webhook/signing.js';
import { OtelAuditError } from '../../src/errors.js';
import { startWebhookReceiver, type WebhookReceiver, type WebhookReceiverOptions } from '../../src/testing/webhook-receiver.js';
import { emitEvent, loggerWith, tempDir, waitFor, cli } from './helpers.js';


/** One export of these events (as record bodies) straight through the exporter. */
function exportOnce(exporter: WebhookLogRecordExporter, events: Record<string, unknown>[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(events.map((body) => ({ body }) as unknown as ReadableLogRecord), resolve));
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

async function rejected(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('webhook destinations against hostile receivers', () => {
  const servers: WebhookReceiver[] = [];
  const start = async (options: WebhookReceiverOptions = {}) => {
    const server = await startWebhookReceiver(options);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    diag.disable();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('does not follow a redirect: the other origin receives nothing, and the 3xx is a retried failure naming only its origin', async () => {
    let hitsOnB = 0;
    const b = await start({ respond: () => (hitsOnB++, { status: 200 }) });
    let hitsOnA = 0;
    const location = `http://127.0.0.1:${b.port}/steal?token=loc-query-secret`;
    const a = await start({ respond: () => (hitsOnA++, { status: 307, headers: { location }, body: 'moved' }) });
    const options = { url: a.url, apiKey: { in: 'header' as const, name: 'x-api-key', value: 'key-for-a-only' }, verificationToken: 'token-for-a-only', hmac: { secrets: ['secret-for-a'] } };

    const result = await exportOnce(createWebhookExporter(options), [{ id: 'r-1', name: 'repo.fork' }]);
    expect(hitsOnB).toBe(0);
    expect(result.code).toBe(ExportResultCode.FAILED);
    const error = result.error as WebhookDeliveryError;
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect(error).toMatchObject({ code: 'WEBHOOK_DELIVERY_FAILED', status: 307, retryable: true });
    expect(error.message).toContain(`answered 307, a redirect to http://127.0.0.1:${b.port}.`);
    for (const secret of ['loc-query-secret', '/steal']) expect(error.message).not.toContain(secret);

    // `webhook test` does not follow it either; it reports where it pointed.
    const tested = await sendWebhookTest(options);
    expect(tested).toMatchObject({ status: 307, ok: false, redirectedTo: `http://127.0.0.1:${b.port}` });

    // Under the spool the record stays and is retried, always at the configured URL.
    const dir = tempDir();
    const processor = createDurableLogRecordProcessor({ exporter: createWebhookExporter(options), directory: dir, retry: { initialMillis: 10, maxMillis: 20 } });
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'r-2');
    await waitFor(() => hitsOnA >= 5, 10_000, 'retries at A');
    expect(processor.stats()).toMatchObject({ queuedRecords: 1, lastError: expect.stringContaining('a redirect to') as string });
    await processor.shutdown(100);

    expect(hitsOnB).toBe(0);
    expect(b.requests).toEqual([]);
    // A relative Location on the same origin is not followed either (it would be a second request to A).
    hitsOnA = 0;
    const same = await start({ respond: () => (hitsOnA++, { status: 308, headers: { location: '/other?x=1' } }) });
    expect(await sendWebhookTest({ url: same.url })).toMatchObject({ status: 308, redirectedTo: `http://127.0.0.1:${same.port}` });
    expect(hitsOnA).toBe(1);
  });

  it('refuses a URL with user:password@, naming the option and apiKey/headers, without echoing the password', async () => {
    for (const url of ['http://alice:hunter2-pw@127.0.0.1:9/hook', 'http://alice@127.0.0.1:9/hook', 'http://alice:hunter2-pw@exa mple.com/hook']) {
      const error = thrown(() => createWebhookExporter({ url }));
      expect(error).toBeInstanceOf(OtelAuditError);
      expect(error).toMatchObject({ code: 'OPTION_INVALID', path: 'url' });
      expect(error.message).toMatch(/^createWebhookExporter: option url /);
      expect(error.message).not.toContain('hunter2');
      const tested = await rejected(sendWebhookTest({ url }));
      expect(tested).toMatchObject({ code: 'OPTION_INVALID', path: 'url' });
      expect(tested.message).toMatch(/^sendWebhookTest: option url /);
      expect(tested.message).not.toContain('hunter2');
    }
    expect(thrown(() => createWebhookExporter({ url: 'http://alice:hunter2-pw@127.0.0.1:9/hook' })).message).toMatch(/credentials.*`apiKey` or `headers`/);
    expect(redactUrl('https://u:p@siem.example.com:8443/a/b?api_key=k#frag')).toBe('https://siem.example.com:8443/a/b');
    expect(redactUrl('not a url with secret')).toBe('(not a valid URL)');
  });

  it('keeps the API key, token and secrets out of deliveries.jsonl, targets.json, stats().lastError, deliveries list, errors and diag lines', async () => {
    const diagLines: string[] = [];
    const capture = (message: string, ...args: unknown[]) => diagLines.push([message, ...args.map(String)].join(' '));
    diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.ALL);

    // A receiver that echoes what it got, the way error pages do: the request URL (query
    // included), the request headers, and a redirect whose Location carries secrets.
    let answered = 0;
    const receiver = await start({
      respond: (request) => {
        const kind = answered++ % 3;
        if (kind === 0) return { status: 404, body: `Cannot POST ${request.url} (http://127.0.0.1${request.url})` };
        if (kind === 1) return { status: 307, headers: { location: `http://bob:loc-password@127.0.0.1:9/x?sig=loc-query-secret` } };
        return { status: 503, body: `token=${String(request.headers.authorization).split(' ')[1]} ${JSON.stringify(request.headers)}` };
      },
    });
    const secrets = ['QUERY-SECRET-123', 'HEADER-SECRET-456', 'TOKEN-SECRET-789', 'HMAC-SECRET-000', 'BEARER-SECRET-abc', 'loc-password', 'loc-query-secret', 'hunter2'];
    const options = {
      url: `${receiver.url}?api_key=QUERY-SECRET-123`,
      apiKey: { in: 'header' as const, name: 'x-api-key', value: 'HEADER-SECRET-456' },
      headers: { authorization: 'Bearer BEARER-SECRET-abc' },
      verificationToken: 'TOKEN-SECRET-789',
      hmac: { secrets: ['HMAC-SECRET-000'] },
    };
    const seen: string[] = [];

    // The password URL never gets as far as a delivery.
    seen.push(thrown(() => createWebhookExporter({ ...options, url: `http://user:hunter2@127.0.0.1:${receiver.port}/hook` })).message);

    const dir = tempDir();
    const exporter = createWebhookExporter({ ...options, failureThreshold: 4 });
    const processor = createDurableLogRecordProcessor({ exporter, directory: dir, retry: { initialMillis: 10, maxMillis: 20 } });
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'leak-1');
    await waitFor(() => exporter.targetStatus().disabled, 10_000, 'auto-disable');
    seen.push(processor.stats().lastError ?? '', exporter.targetStatus().reason ?? '');
    await processor.shutdown(100);

    // No answer at all: a closed port, directly and through `webhook test`.
    const closed = { ...options, url: `http://127.0.0.1:${receiver.port}/hook?api_key=QUERY-SECRET-123` };
    await receiver.close();
    seen.push(String((await exportOnce(createWebhookExporter(closed), [{ id: 'n-1' }])).error?.message));
    seen.push((await rejected(sendWebhookTest(closed))).message);

    const deliveries = readFileSync(join(dir, 'deliveries.jsonl'), 'utf8');
    const targets = JSON.stringify(readTargetStates(dir));
    const listed = await cli(['deliveries', 'list', '--dir', dir]);
    const listedJson = await cli(['deliveries', 'list', '--dir', dir, '--json']);
    expect(listed.status, listed.stderr).toBe(0);
    // Every path was taken: the echoing 404, the redirect, the echoing 503, a network error.
    const logged = deliveries.trim().split('\n').map((line) => String((JSON.parse(line) as { error?: string }).error)).join('\n');
    expect(logged).toContain('answered 404: Cannot POST /hook?api_key=*** (http://127.0.0.1/hook');
    expect(logged).toContain('answered 307, a redirect to http://127.0.0.1:9.');
    expect(logged).toMatch(/answered 503: token=\*\*\* .*"x-api-key":"\*\*\*"/);
    expect(seen.join('\n')).toMatch(/ECONNREFUSED/);
    expect(diagLines.join('\n')).toMatch(/auto-disabled/);
    expect(targets).toContain(`"${receiver.url}"`);

    const everything = { deliveries, targets, listed: listed.stdout + listed.stderr, listedJson: listedJson.stdout, diag: diagLines.join('\n'), errors: seen.join('\n') };
    for (const [where, text] of Object.entries(everything)) {
      for (const secret of secrets) expect(text, `${secret} in ${where}`).not.toContain(secret);
    }
  });

  it('keeps a secret in the URL path (Slack, Discord, Teams webhook URLs) out of the target name, deliveries.jsonl, targets.json, errors and diag lines', async () => {
    const diagLines: string[] = [];
    const capture = (message: string, ...args: unknown[]) => diagLines.push([message, ...args.map(String)].join(' '));
    diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.ALL);
    // The receiver echoes the path it was posted to, as error pages do.
    const receiver = await start({ respond: (request) => ({ status: 404, body: `Cannot POST ${request.url}` }) });
    const secret = 'AbCdEfGhIjKlMnOpQrStUvWx';
    const discord = '9f8e7d6c5b4a39281716';
    const url = `${new URL(receiver.url).origin}/services/T0123ABCD9/B0456EFGH9/${secret}`;
    expect(redactUrl(url)).toBe(`${new URL(receiver.url).origin}/services/T0123ABCD9/B0456EFGH9/***`); // the workspace and channel ids are no secret
    expect(redactUrl(`https://discord.example/api/webhooks/${discord}/audit-events-production`)).toBe('https://discord.example/api/webhooks/***/audit-events-production');
    const dir = tempDir();
    const exporter = createWebhookExporter({ url, failureThreshold: 2 });
    const processor = createDurableLogRecordProcessor({ exporter, directory: dir, retry: { initialMillis: 10, maxMillis: 20 } });
    const { logger } = loggerWith(processor);
    emitEvent(logger, 'path-1');
    await waitFor(() => exporter.targetStatus().disabled, 10_000, 'auto-disable');
    const seen = [processor.stats().lastError ?? '', exporter.targetStatus().reason ?? '', exporter.targetStatus().name];
    await processor.shutdown(100);
    // `webhook test` reports what the receiver answered, echo and all.
    const tested = await cli(['webhook', 'test', url]);
    expect(tested.stdout + tested.stderr).toMatch(/404/);
    seen.push(tested.stdout + tested.stderr);
    const deliveries = readFileSync(join(dir, 'deliveries.jsonl'), 'utf8');
    expect(deliveries).toContain('answered 404: Cannot POST /services/');
    const listed = await cli(['deliveries', 'list', '--dir', dir]);
    const everything = { deliveries, targets: JSON.stringify(readTargetStates(dir)), listed: listed.stdout + listed.stderr, diag: diagLines.join('\n'), errors: seen.join('\n') };
    for (const [where, text] of Object.entries(everything)) expect(text, `the path secret in ${where}`).not.toContain(secret);
  });

  it('verifyWebhook, signWebhookBody and createWebhookExporter refuse an empty or blank secret; verifyWebhook refuses a non-finite or non-positive tolerance', () => {
    const body = '{"id":"e-1"}';
    const now = Date.now();
    const timestamp = Math.floor(now / 1000);
    // What an attacker sends: a body signed with an empty key, which anyone can compute.
    const forged = { [WEBHOOK_HEADERS.timestamp]: String(timestamp), [WEBHOOK_HEADERS.signature]: signatureWithEmptyKey(body, timestamp) };
    for (const secrets of [[''], ['   '], ['good-secret', ''], ['good-secret', undefined as unknown as string]]) {
      const error = thrown(() => verifyWebhook({ headers: forged, body }, { secrets, now }));
      expect(error).toBeInstanceOf(OtelAuditError);
      expect(error).toMatchObject({ code: 'OPTION_INVALID', message: expect.stringMatching(/^verifyWebhook: option secrets\[\d\] must be a non-empty string/) as string });
      expect(thrown(() => signWebhookBody(body, secrets, timestamp))).toMatchObject({ code: 'OPTION_INVALID' });
    }
    for (const secrets of [[''], ['  '], ['good-secret', '']]) {
      expect(thrown(() => createWebhookExporter({ url: 'http://127.0.0.1:9/hook', hmac: { secrets } }))).toMatchObject({ code: 'OPTION_INVALID', path: expect.stringMatching(/^hmac\.secrets/) as string });
    }
    // An unset previous secret (an environment variable not set during no rotation) is fine.
    expect(() => createWebhookExporter({ url: 'http://127.0.0.1:9/hook', hmac: { secrets: ['current', undefined] } })).not.toThrow();
    // A timeout Node's timers cannot hold is refused up front, not a RangeError at the first delivery.
    for (const timeoutMillis of [2 ** 32, 1e20, Number.NaN, 0]) {
      expect(thrown(() => createWebhookExporter({ url: 'http://127.0.0.1:9/hook', timeoutMillis }))).toMatchObject({ code: 'OPTION_INVALID', path: 'timeoutMillis' });
    }
    expect(() => createWebhookExporter({ url: 'http://127.0.0.1:9/hook', timeoutMillis: 2 ** 32 - 1 })).not.toThrow();

    // A request 100,000 s old, correctly signed.
    const old = timestamp - 100_000;
    const stale = { [WEBHOOK_HEADERS.timestamp]: String(old), [WEBHOOK_HEADERS.signature]: signWebhookBody(body, ['s3cret'], old) };
    for (const toleranceMillis of [Number.NaN, Number.POSITIVE_INFINITY, 0, -1, '300000' as unknown as number]) {
      expect(thrown(() => verifyWebhook({ headers: stale, body }, { secrets: ['s3cret'], toleranceMillis, now }))).toMatchObject({ code: 'OPTION_INVALID', path: 'toleranceMillis' });
    }
    expect(verifyWebhook({ headers: stale, body }, { secrets: ['s3cret'], now })).toMatchObject({ ok: false, reason: expect.stringMatching(/stale/) as string });
    expect(verifyWebhook({ headers: stale, body }, { secrets: ['s3cret'], toleranceMillis: 200_000_000, now })).toMatchObject({ ok: true });
  });

  it('with a replay cache, rejects the same signed request sent again, however its signature header is reshuffled', async () => {
    const replayCache = createReplayCache();
    const verdicts: string[] = [];
    // A receiver with the secrets during a rotation, answering 401 to what fails.
    const receiver = await start({
      respond: (request) => {
        const verdict = verifyWebhook(request, { secrets: ['new-secret', 'old-secret'], replayCache });
        verdicts.push(verdict.ok ? 'ok' : verdict.reason);
        return verdict.ok ? { status: 200 } : { status: 401, body: verdict.reason };
      },
    });
    const exporter = createWebhookExporter({ url: receiver.url, hmac: { secrets: ['new-secret', 'old-secret'] } });
    expect((await exportOnce(exporter, [{ id: 'once' }])).code).toBe(ExportResultCode.SUCCESS);
    const original = receiver.requests[0]!;
    const [sigNew, sigOld] = String(original.headers[WEBHOOK_HEADERS.signature]).split(', ');
    const stamp = String(original.headers[WEBHOOK_HEADERS.timestamp]);

    // The attacker captured the request and sends it again, as is and with variations
    // the signature check still accepts.
    const variants = [
      { signature: `${sigNew}, ${sigOld}`, timestamp: stamp },
      { signature: `${sigOld}, ${sigNew}`, timestamp: stamp },
      { signature: sigOld!, timestamp: stamp },
      { signature: `${sigNew}, ${'0'.repeat(64)}`, timestamp: stamp },
      { signature: `${sigNew}, ${sigOld}`, timestamp: `0${stamp}` },
    ];
    for (const variant of variants) {
      const response = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json', [WEBHOOK_HEADERS.signature]: variant.signature, [WEBHOOK_HEADERS.timestamp]: variant.timestamp }, body: original.body });
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('replayed');
    }
    expect(verdicts).toEqual(['ok', ...variants.map(() => 'replayed')]);
    // A new request (another event) still passes.
    expect((await exportOnce(exporter, [{ id: 'another' }])).code).toBe(ExportResultCode.SUCCESS);
    expect(replayCache.size).toBe(2);
  });

  it('the replay cache is bounded: it forgets entries once they leave the tolerance window, and the oldest when full', () => {
    const now = 1_700_000_000_000;
    const request = (id: string) => {
      const body = JSON.stringify({ id });
      const { headers } = webhookRequest({ url: 'http://127.0.0.1:9/hook', hmac: { secrets: ['k-secret'] } }, body, now);
      return { headers, body };
    };
    const cache = createReplayCache({ maxEntries: 2 });
    const verify = (id: string, at = now) => verifyWebhook(request(id), { secrets: ['k-secret'], replayCache: cache, toleranceMillis: 60_000, now: at });
    expect(verify('a')).toMatchObject({ ok: true });
    expect(verify('b')).toMatchObject({ ok: true });
    expect(verify('b')).toEqual({ ok: false, reason: 'replayed' });
    expect(verify('c')).toMatchObject({ ok: true });
    expect(cache.size).toBe(2);
    // 'a' was the oldest of a full cache: forgotten, so its replay passes (the documented
    // limit of a bounded cache); 'c' is remembered.
    expect(verify('c')).toEqual({ ok: false, reason: 'replayed' });
    expect(verify('a')).toMatchObject({ ok: true });
    // Once the window is over, the timestamp check rejects it and the cache lets go.
    expect(verify('a', now + 61_000)).toMatchObject({ ok: false, reason: expect.stringMatching(/stale/) as string });
    expect(cache.remember('later', now + 200_000, now + 61_000)).toBe(true);
    expect(cache.size).toBe(1);
    expect(thrown(() => createReplayCache({ maxEntries: 0 }))).toMatchObject({ code: 'OPTION_INVALID', path: 'maxEntries' });
    expect(createReplayCache().maxEntries).toBe(10_000);
  });

  it('marks 400, 413 and 422 final (retryable=false) and every other answer retryable, with Retry-After', async () => {
    const answers: Record<number, { headers?: Record<string, string> }> = {
      400: {}, 413: {}, 422: {}, 429: { headers: { 'retry-after': '7' } }, 503: { headers: { 'retry-after': '3' } }, 500: {}, 408: {}, 401: {}, 403: {}, 404: {}, 307: { headers: { location: 'http://127.0.0.1:9/' } },
    };
    let status = 0;
    const receiver = await start({ respond: () => ({ status, headers: answers[status]!.headers, body: `answer ${status}` }) });
    const exporter = createWebhookExporter({ url: receiver.url });
    const classified: Record<number, { retryable: boolean; retryAfterMillis?: number }> = {};
    for (const code of Object.keys(answers).map(Number)) {
      status = code;
      const error = (await exportOnce(exporter, [{ id: `s-${code}` }])).error as WebhookDeliveryError;
      expect(error).toMatchObject({ code: 'WEBHOOK_DELIVERY_FAILED', status: code });
      classified[code] = { retryable: error.retryable, ...(error.retryAfterMillis !== undefined ? { retryAfterMillis: error.retryAfterMillis } : {}) };
    }
    expect(classified).toEqual({
      400: { retryable: false }, 413: { retryable: false }, 422: { retryable: false },
      429: { retryable: true, retryAfterMillis: 7000 }, 503: { retryable: true, retryAfterMillis: 3000 },
      500: { retryable: true }, 408: { retryable: true }, 401: { retryable: true }, 403: { retryable: true }, 404: { retryable: true }, 307: { retryable: true },
    });
    // A network error is retryable too.
    await receiver.close();
    expect((await exportOnce(exporter, [{ id: 'down' }])).error).toMatchObject({ retryable: true, status: undefined });
  });
});

/** HMAC-SHA256 with an empty key, as anyone can compute it (signWebhookBody refuses ''). */
function signatureWithEmptyKey(body: string, timestamp: number): string {
  return createHmac('sha256', '').update(`v0:${timestamp}:${body}`).digest('hex');
}

describe('what a hostile receiver answers, printed', () => {
  // ESC ] 52 writes the terminal's clipboard, ESC [2J clears the screen; the line break would forge a line.
  const answer = 'nope\u001b]52;c;ZXZpbA==\u0007\u001b[2J\n2026-01-01T00:00:00.000Z  recovered  https://hooks.example/audit';
  const servers: WebhookReceiver[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('has its control characters escaped in the error, `webhook test` and `deliveries list`, one line per entry', async () => {
    const receiver = await startWebhookReceiver({ respond: () => ({ status: 500, body: answer }) });
    servers.push(receiver);
    const error = (await exportOnce(createWebhookExporter({ url: receiver.url }), [{ id: 'e1' }])).error as WebhookDeliveryError;
    expect(error.message).toContain('answered 500: nope\\u001b]52;c;ZXZpbA==\\u0007\\u001b[2J\\n2026-01-01T00:00:00.000Z  recovered');
    const tested = await cli(['webhook', 'test', receiver.url]);
    expect(tested.status).toBe(1);
    expect(tested.stdout).toContain('nope\\u001b]52;c;ZXZpbA==\\u0007\\u001b[2J\n2026-01-01');
    expect(tested.stdout).not.toContain('\u001b');
    expect(tested.stdout).not.toContain('\u0007');

    // A log written before the escaping, with damaged lines: each is left out, never a crash.
    const dir = tempDir();
    const entry = { time: '2026-01-01T00:00:00.000Z', target: 'https://hooks.example/audit', outcome: 'failure', status: 500, error: `POST https://hooks.example/audit answered 500: ${answer}` };
    writeFileSync(join(dir, 'deliveries.jsonl'), ['null', '["x"]', JSON.stringify({ ...entry, outcome: 5 }), JSON.stringify(entry), ''].join('\n'));
    const listed = await cli(['deliveries', 'list', '--dir', dir]);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(listed.stdout.split('\n')).toEqual([
      '2026-01-01T00:00:00.000Z  failure    https://hooks.example/audit  HTTP 500  POST https://hooks.example/audit answered 500: nope\\u001b]52;c;ZXZpbA==\\u0007\\u001b[2J\\n2026-01-01T00:00:00.000Z  recovered  https://hooks.example/audit',
      '',
    ]);
  });
});

describe('a damaged targets.json', () => {
  it('keeps only states as the exporter writes them: a string for disabled or a missing count is no state', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'targets.json'), JSON.stringify({ good: { disabled: true, consecutiveFailures: 12, disabledAt: '2026-12-03T10:00:00.000Z', reason: '12 consecutive failures' }, stringly: { disabled: 'yes', consecutiveFailures: 3 }, countless: { disabled: false }, listed: [true, 1], negative: { disabled: false, consecutiveFailures: -1 } }));
    expect(Object.keys(readTargetStates(dir))).toEqual(['good']);
    const listed = await cli(['deliveries', 'list', '--dir', dir]);
    expect(listed.stdout).toContain('target good: DISABLED since 2026-12-03T10:00:00.000Z (12 consecutive failures), 12 consecutive failures');
    expect(listed.stdout).not.toContain('undefined');
  });
});

describe('webhook test --timeout', () => {
  it('refuses a timeout Node cannot hold, or not a number, naming the flag', async () => {
    for (const timeout of ['1e20', '4294967296', 'abc', '0', '-5']) {
      const result = await cli(['webhook', 'test', 'http://127.0.0.1:9/hook', '--timeout', timeout]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`--timeout "${timeout}" must be a whole number of milliseconds from 1 to 4294967295`);
    }
  });
});
