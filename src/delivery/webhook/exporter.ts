// createWebhookExporter: a LogRecordExporter that POSTs canonical audit events
// (the record body) as JSON to an HTTP endpoint, signed. Use it under the
// durable spool for delivery without loss, or under any SDK processor.
import { OtelAuditError } from '../../errors.js';
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { appendDelivery } from '../durable/delivery-log.js';
import type { DeliveryTargetStatus, DeliveryTarget } from '../durable/target.js';
import { signWebhookBody, WEBHOOK_HEADERS } from './signing.js';
import { readTargetStates, writeTargetState } from './state.js';
import { oneLine } from '../printable.js';

export interface WebhookExporterOptions {
  url: string;
  /** false (default): one event per request. true: all events of an export in one JSON array. {maxEvents}: arrays of at most maxEvents. */
  batch?: boolean | { maxEvents: number };
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** An API key sent as a header or as a query parameter. */
  apiKey?: { in: 'header' | 'query'; name: string; value: string };
  /** Sent as X-Audit-Verification-Token (GitLab style). */
  verificationToken?: string;
  /** HMAC-SHA256 signing; two secrets during a rotation (current first). */
  hmac?: { secrets: [string, string?] | string[] };
  /** Consecutive failed exports after which the destination is disabled (state persisted). Default: never. */
  failureThreshold?: number;
  /** Where the disabled state is persisted; the durable spool sets its own directory here. */
  stateDirectory?: string;
  /** Per request. Default 10 s. */
  timeoutMillis?: number;
  /** What to send for a record. Default: its body (the canonical event map). */
  eventOf?: (record: ReadableLogRecord) => unknown;
}

/** A failed delivery; `retryAfterMillis` carries the receiver's Retry-After. */
export class WebhookDeliveryError extends OtelAuditError {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly retryAfterMillis?: number,
  ) {
    super('WEBHOOK_DELIVERY_FAILED', message);
  }
}

export class WebhookDisabledError extends OtelAuditError {
  override readonly name = 'WebhookDisabledError';
  constructor(destination: string, reason: string | undefined) {
    super('WEBHOOK_DISABLED', `webhook destination ${destination} is disabled after repeated failures (${reason ?? 'no reason recorded'}); records stay in the spool. Call exporter.enable() or run otel-audit deliveries enable to resume`);
  }
}

export interface WebhookResponse {
  status: number;
  ok: boolean;
  /** Round trip in milliseconds. */
  ms: number;
  body: string;
  retryAfterMillis?: number;
  /** For a 3xx answer: the origin its Location points to (never followed). */
  redirectedTo?: string;
}

/**
 * The three HTTP-date forms (RFC 9110 5.6.7): IMF-fixdate, RFC 850 and asctime. Date.parse
 * alone also reads "-5" or "3 4" as dates (in the past, so "retry at once").
 */
const HTTP_DATE = /^(?:[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/** Retry-After is either seconds or an HTTP date; anything else is ignored (undefined). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  // A value too large for a number ("9999…") is still a finite, very long wait.
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, Number.MAX_SAFE_INTEGER);
  if (!HTTP_DATE.test(trimmed)) return undefined;
  // asctime has no zone; it is GMT by definition.
  const date = Date.parse(trimmed.endsWith('GMT') ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How much of an answer's body is read: enough for an error message, never a receiver's endless stream. */
const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

/**
 * The start of the answer's body, at most MAX_RESPONSE_BODY_BYTES; the rest is not read.
 * A body cut off (reset, timeout) yields what arrived: the status line already said
 * whether the receiver took the events, so the body never turns an answer into a failure.
 */
async function readBodyStart(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    while (bytes < MAX_RESPONSE_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const part = value.subarray(0, MAX_RESPONSE_BODY_BYTES - bytes);
      bytes += part.length;
      text += decoder.decode(part, { stream: true });
    }
  } catch {
    return text + decoder.decode();
  }
  // Stop the transfer; the connection is dropped rather than drained.
  reader.cancel().catch(() => undefined);
  return text + decoder.decode();
}

/** Builds the headers and URL of one signed request. */
export function webhookRequest(options: Pick<WebhookExporterOptions, 'url' | 'headers' | 'apiKey' | 'verificationToken' | 'hmac'>, body: string, now = Date.now()): { url: string; headers: Record<string, string> } {
  const url = new URL(options.url);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'otel-audit-webhook', ...options.headers };
  if (options.apiKey?.in === 'query') url.searchParams.set(options.apiKey.name, options.apiKey.value);
  if (options.apiKey?.in === 'header') headers[options.apiKey.name] = options.apiKey.value;
  if (options.verificationToken !== undefined) headers[WEBHOOK_HEADERS.verificationToken] = options.verificationToken;
  const configured: (string | undefined)[] = options.hmac?.secrets ?? [];
  const secrets = configured.filter((s): s is string => typeof s === 'string' && s.length > 0);
  if (secrets.length > 0) {
    const timestamp = Math.floor(now / 1000);
    headers[WEBHOOK_HEADERS.timestamp] = String(timestamp);
    headers[WEBHOOK_HEADERS.signature] = signWebhookBody(body, secrets, timestamp);
  }
  return { url: url.toString(), headers };
}

/** One signed POST; never throws for HTTP errors, only for network ones. */
export async function postWebhook(options: Pick<WebhookExporterOptions, 'url' | 'headers' | 'apiKey' | 'verificationToken' | 'hmac' | 'timeoutMillis'>, body: string): Promise<WebhookResponse> {
  const request = webhookRequest(options, body);
  const started = performance.now();
  // redirect: 'manual': a redirect is answered, never followed. fetch would resend the
  // body, the API key, the token and the signature to wherever Location points.
  const response = await fetch(request.url, { method: 'POST', headers: request.headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMillis ?? 10_000) });
  const text = await readBodyStart(response);
  const location = response.headers.get('location');
  return {
    status: response.status,
    ok: response.ok,
    ms: performance.now() - started,
    body: text,
    retryAfterMillis: parseRetryAfter(response.headers.get('retry-after')),
    ...(response.status >= 300 && response.status < 400 ? { redirectedTo: locationOrigin(location, options.url) } : {}),
  };
}

/**
 * A URL fit for a message, a log line or a state file: scheme, host and path. The
 * userinfo (user:password@), the query (it may hold an API key) and the fragment are
 * dropped. Text that is not a URL is not echoed at all: we cannot tell where its
 * secrets are.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.split('/').map((segment) => (isSecretSegment(segment) ? '***' : segment)).join('/')}`;
  } catch {
    return '(not a valid URL)';
  }
}

/**
 * A path segment that may be a credential: Slack, Discord and Teams webhook URLs carry
 * their secret in the path (`/services/T…/B…/<secret>`). Long (16 characters or more) and
 * not a plain word: it holds a digit, or both upper and lower case letters.
 */
export function isSecretSegment(segment: string): boolean {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // a malformed escape: judged as written
  }
  return text.length >= 16 && (/\d/.test(text) || (/[a-z]/.test(text) && /[A-Z]/.test(text)));
}

/** The origin a redirect points to (a relative Location is resolved against the configured URL); never its path or query. */
function locationOrigin(location: string | null, base: string): string {
  if (!location) return 'no Location header';
  try {
    const parsed = new URL(location, base);
    return parsed.origin === 'null' ? `a ${parsed.protocol} URL` : parsed.origin;
  } catch {
    return 'an invalid Location';
  }
}

/** The destination's name in logs and state: the URL without query (which may hold an API key), credentials, or path segments that look like secrets. */
export function targetName(url: string): string {
  return redactUrl(url);
}

/** Shorter values are too common to mask (they would garble messages) and too short to be credentials. */
const MIN_MASKED_LENGTH = 6;

/**
 * Returns a function that takes secrets out of text bound for a message: every URL in it
 * loses its userinfo and query, and the configured credential values (API key, token, HMAC
 * secrets, header values, query values of the URL) are masked. Receivers echo the request
 * in their error bodies (`Cannot POST /hook?api_key=...`), and those bodies end up in
 * deliveries.jsonl, stats().lastError and diag lines.
 */
export function secretScrubber(options: Pick<WebhookExporterOptions, 'url' | 'headers' | 'apiKey' | 'verificationToken' | 'hmac'>): (text: string) => string {
  const values = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== 'string' || value.length < MIN_MASKED_LENGTH) return;
    values.add(value);
    values.add(encodeURIComponent(value));
  };
  add(options.apiKey?.value);
  add(options.verificationToken);
  for (const secret of options.hmac?.secrets ?? []) add(secret);
  for (const value of Object.values(options.headers ?? {})) {
    add(value);
    // "Bearer <token>": a receiver may echo the credential without its scheme.
    add(value.slice(value.lastIndexOf(' ') + 1));
  }
  try {
    const url = new URL(options.url);
    for (const value of url.searchParams.values()) add(value);
    add(decodeURIComponent(url.username));
    add(decodeURIComponent(url.password));
    // A receiver echoes the path it was posted to ("Cannot POST /services/T…/B…/<secret>").
    for (const segment of url.pathname.split('/')) if (isSecretSegment(segment)) add(segment);
  } catch {
    // validateWebhookOptions refuses such a URL before anything is sent.
  }
  // Longest first, so a value that contains another one is masked whole.
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text) => {
    let scrubbed = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url));
    for (const value of ordered) scrubbed = scrubbed.replaceAll(value, '***');
    return scrubbed;
  };
}

/**
 * Whether the same request may succeed later. Only answers that refuse the content itself
 * are final: 400 (bad request), 413 (too large), 422 (unprocessable). The spool sets such a
 * record aside instead of retrying it forever. Every other answer (3xx, 401, 403, 404, 408,
 * 429, 5xx) is about the destination or its configuration, which someone can fix, so it is
 * retried like a network error (and counts towards failureThreshold).
 */
export function isRetryableStatus(status: number): boolean {
  return status !== 400 && status !== 413 && status !== 422;
}

/** The failure of one answered request, without secrets. */
export function responseError(name: string, response: WebhookResponse, scrub: (text: string) => string): WebhookDeliveryError {
  const retryable = isRetryableStatus(response.status);
  const what = response.redirectedTo !== undefined
    ? `answered ${response.status}, a redirect to ${response.redirectedTo}. Redirects are not followed, so events and credentials go only to the configured url; if the destination moved, set url to its new address`
    : `answered ${response.status}: ${oneLine(scrub(response.body).slice(0, 200))}`;
  return new WebhookDeliveryError(`POST ${name} ${what}`, response.status, retryable, retryable ? response.retryAfterMillis : undefined);
}

/** What fetch says when no answer came (its cause says why: ECONNREFUSED, a timeout). */
export function networkErrorMessage(error: unknown): string {
  const cause = (error as Error | undefined)?.cause;
  return cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
}

/** Checks the options createWebhookExporter and sendWebhookTest share; `caller` starts each message. */
export function validateWebhookOptions(options: Partial<WebhookExporterOptions>, caller: string): void {
  function fail(field: string, reason: string): never {
    throw new OtelAuditError('OPTION_INVALID', `${caller}: option ${field} ${reason}`, { path: field });
  }
  // Not echoed when invalid: an unparseable URL may still hold a password.
  const url = URL.canParse(String(options.url)) ? new URL(String(options.url)) : fail('url', 'is not a valid URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('url', `must be http(s), got ${url.protocol}`);
  // fetch refuses such a URL, and its error (with the password) would land in deliveries.jsonl.
  if (url.username || url.password) fail('url', 'must not contain credentials (user:password@); send them with `apiKey` or `headers` instead');
  if (typeof options.batch === 'object' && !(Number.isInteger(options.batch.maxEvents) && options.batch.maxEvents > 0)) fail('batch.maxEvents', 'must be a positive integer');
  if (options.apiKey && !['header', 'query'].includes(options.apiKey.in)) fail('apiKey.in', "must be 'header' or 'query'");
  if (options.hmac) {
    const secrets: readonly unknown[] = options.hmac.secrets;
    if (!Array.isArray(secrets) || secrets.length === 0 || secrets.length > 2) fail('hmac.secrets', 'must hold one or two secrets (current, previous)');
    // The previous secret may be left out (undefined: an unset environment variable), but an
    // empty one is a mistake: anyone can compute an HMAC with an empty key.
    secrets.forEach((secret, i) => {
      if (i > 0 && secret === undefined) return;
      if (typeof secret !== 'string' || secret.trim() === '') fail(`hmac.secrets[${i}]`, 'must be a non-empty string (an empty secret signs nothing: anyone can forge its signature)');
    });
  }
  // Node's timers take at most 2^32 - 1 ms (about 49 days).
  if (options.timeoutMillis !== undefined && !(Number.isFinite(options.timeoutMillis) && options.timeoutMillis > 0 && options.timeoutMillis <= 0xffff_ffff)) fail('timeoutMillis', 'must be a positive number of milliseconds, at most 4294967295 (about 49 days)');
  if (options.failureThreshold !== undefined && !(Number.isInteger(options.failureThreshold) && options.failureThreshold > 0)) fail('failureThreshold', 'must be a positive integer');
}

class WebhookExporter implements LogRecordExporter, DeliveryTarget {
  private readonly name: string;
  private readonly scrub: (text: string) => string;
  private stateDirectory: string | undefined;
  private disabled = false;
  private reason: string | undefined;
  private consecutiveFailures = 0;
  private inFlight = new Set<Promise<unknown>>();
  private shutDown = false;

  constructor(private readonly options: WebhookExporterOptions) {
    validateWebhookOptions(options, 'createWebhookExporter');
    this.name = targetName(options.url);
    this.scrub = secretScrubber(options);
    if (options.stateDirectory) this.useStateDirectory(options.stateDirectory);
  }

  useStateDirectory(directory: string): void {
    if (this.stateDirectory && this.stateDirectory !== directory) return;
    this.stateDirectory = directory;
    const stored = readTargetStates(directory)[this.name];
    if (stored) {
      this.disabled = stored.disabled;
      this.reason = stored.reason;
      this.consecutiveFailures = stored.consecutiveFailures;
    }
  }

  targetStatus(): DeliveryTargetStatus {
    return { name: this.name, disabled: this.disabled, consecutiveFailures: this.consecutiveFailures, reason: this.reason };
  }

  /** Re-enables an auto-disabled destination. */
  enable(): void {
    this.disabled = false;
    this.reason = undefined;
    this.consecutiveFailures = 0;
    this.persist();
    if (this.stateDirectory) appendDelivery(this.stateDirectory, { target: this.name, outcome: 'enabled' });
  }

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutDown) return resultCallback({ code: ExportResultCode.FAILED, error: new WebhookDeliveryError('webhook exporter is shut down', undefined, false) });
    if (this.disabled && this.stateDirectory) {
      // `otel-audit deliveries enable` edits the state file; pick that up without a restart.
      const stored = readTargetStates(this.stateDirectory)[this.name];
      if (stored && !stored.disabled) this.enable();
    }
    if (this.disabled) return resultCallback({ code: ExportResultCode.FAILED, error: new WebhookDisabledError(this.name, this.reason) });
    const delivery = this.deliver(records).then(
      () => {
        this.succeeded();
        resultCallback({ code: ExportResultCode.SUCCESS });
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.failed(failure);
        resultCallback({ code: ExportResultCode.FAILED, error: failure });
      },
    );
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Request bodies; a single event also gets its id as Idempotency-Key (receivers may dedupe on it). */
  private chunks(events: unknown[]): { body: string; id?: string }[] {
    const batch = this.options.batch ?? false;
    if (batch === false) {
      return events.map((event) => {
        const id = (event as { id?: unknown } | null)?.id;
        return { body: JSON.stringify(event), id: typeof id === 'string' ? id : undefined };
      });
    }
    const size = batch === true ? events.length : batch.maxEvents;
    const bodies: { body: string }[] = [];
    for (let i = 0; i < events.length; i += size) bodies.push({ body: JSON.stringify(events.slice(i, i + size)) });
    return bodies;
  }

  private async deliver(records: ReadableLogRecord[]): Promise<void> {
    const eventOf = this.options.eventOf ?? ((record: ReadableLogRecord) => record.body);
    for (const { body, id } of this.chunks(records.map(eventOf))) {
      let response: WebhookResponse;
      try {
        response = await postWebhook(id === undefined ? this.options : { ...this.options, headers: { ...this.options.headers, 'idempotency-key': id } }, body);
      } catch (error) {
        throw new WebhookDeliveryError(`POST ${this.name} failed: ${this.scrub(networkErrorMessage(error))}`, undefined, true);
      }
      if (!response.ok) throw responseError(this.name, response, this.scrub);
    }
  }

  private succeeded(): void {
    if (this.consecutiveFailures === 0) return;
    this.consecutiveFailures = 0;
    this.persist();
  }

  private failed(error: Error): void {
    // A refused record (400, 413, 422) is the spool's to set aside, not a sign the target is down.
    if (error instanceof WebhookDeliveryError && !error.retryable) return;
    this.consecutiveFailures++;
    const threshold = this.options.failureThreshold;
    if (threshold !== undefined && this.consecutiveFailures >= threshold && !this.disabled) {
      this.disabled = true;
      this.reason = `${this.consecutiveFailures} consecutive failures, last: ${error.message}`;
      diag.error(`otel-audit webhook ${this.name} auto-disabled: ${this.reason}`);
      if (this.stateDirectory) appendDelivery(this.stateDirectory, { target: this.name, outcome: 'disabled', error: this.reason });
    }
    this.persist();
  }

  /** Persists the state; a failure (full disk, a planted symlink) is reported, never thrown into the export callback. */
  private persist(): void {
    if (!this.stateDirectory) return;
    try {
      writeTargetState(this.stateDirectory, this.name, {
        disabled: this.disabled,
        consecutiveFailures: this.consecutiveFailures,
        disabledAt: this.disabled ? new Date().toISOString() : undefined,
        reason: this.reason,
      });
    } catch (error) {
      diag.error(`otel-audit webhook ${this.name}: could not save its state in ${this.stateDirectory}: ${(error as Error).message}`);
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    this.shutDown = true;
    await this.forceFlush();
  }
}

export type WebhookLogRecordExporter = LogRecordExporter & DeliveryTarget & { enable(): void };

export function createWebhookExporter(options: WebhookExporterOptions): WebhookLogRecordExporter {
  return new WebhookExporter(options);
}
