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
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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
  const response = await fetch(request.url, { method: 'POST', headers: request.headers, body, signal: AbortSignal.timeout(options.timeoutMillis ?? 10_000) });
  const text = await response.text();
  return { status: response.status, ok: response.ok, ms: performance.now() - started, body: text, retryAfterMillis: parseRetryAfter(response.headers.get('retry-after')) };
}

/** The destination's name in logs and state: the URL without query (which may hold an API key) or credentials. */
export function targetName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

function validate(options: WebhookExporterOptions): void {
  const fail = (field: string, reason: string) => {
    throw new OtelAuditError('OPTION_INVALID', `createWebhookExporter: option ${field} ${reason}`, { path: field });
  };
  try {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('url', `must be http(s), got ${url.protocol}`);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('createWebhookExporter')) throw error;
    fail('url', `is not a valid URL: ${JSON.stringify(options.url)}`);
  }
  if (typeof options.batch === 'object' && !(Number.isInteger(options.batch.maxEvents) && options.batch.maxEvents > 0)) fail('batch.maxEvents', 'must be a positive integer');
  if (options.apiKey && !['header', 'query'].includes(options.apiKey.in)) fail('apiKey.in', "must be 'header' or 'query'");
  if (options.hmac && (options.hmac.secrets.length === 0 || options.hmac.secrets.length > 2 || !options.hmac.secrets[0])) fail('hmac.secrets', 'must hold one or two non-empty secrets (current, previous)');
  if (options.failureThreshold !== undefined && !(Number.isInteger(options.failureThreshold) && options.failureThreshold > 0)) fail('failureThreshold', 'must be a positive integer');
}

class WebhookExporter implements LogRecordExporter, DeliveryTarget {
  private readonly name: string;
  private stateDirectory: string | undefined;
  private disabled = false;
  private reason: string | undefined;
  private consecutiveFailures = 0;
  private inFlight = new Set<Promise<unknown>>();
  private shutDown = false;

  constructor(private readonly options: WebhookExporterOptions) {
    validate(options);
    this.name = targetName(options.url);
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
        throw new WebhookDeliveryError(`POST ${this.name} failed: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`, undefined, true);
      }
      if (!response.ok) {
        const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
        throw new WebhookDeliveryError(`POST ${this.name} answered ${response.status}: ${response.body.slice(0, 200)}`, response.status, retryable, retryable ? response.retryAfterMillis : undefined);
      }
    }
  }

  private succeeded(): void {
    if (this.consecutiveFailures === 0) return;
    this.consecutiveFailures = 0;
    this.persist();
  }

  private failed(error: Error): void {
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

  private persist(): void {
    if (!this.stateDirectory) return;
    writeTargetState(this.stateDirectory, this.name, {
      disabled: this.disabled,
      consecutiveFailures: this.consecutiveFailures,
      disabledAt: this.disabled ? new Date().toISOString() : undefined,
      reason: this.reason,
    });
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
