// Webhook signatures, Opal style: HMAC-SHA256 over `v0:<timestamp>:<body>`, hex,
// one signature per secret, comma separated, so a secret can be rotated without
// downtime. Plus a GitLab-style verification token header.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names, lower case (HTTP header names are case-insensitive). */
export const WEBHOOK_HEADERS = {
  signature: 'x-audit-signature',
  timestamp: 'x-audit-request-timestamp',
  verificationToken: 'x-audit-verification-token',
} as const;

export function signatureBase(timestamp: number | string, body: string | Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(body)]);
}

function hmacHex(secret: string, base: Buffer): string {
  return createHmac('sha256', secret).update(base).digest('hex');
}

/** The signature header value: one hex HMAC per secret, current first, joined by ", ". */
export function signWebhookBody(body: string | Uint8Array, secrets: readonly string[], timestamp: number): string {
  const base = signatureBase(timestamp, body);
  return secrets.map((secret) => hmacHex(secret, base)).join(', ');
}

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

export interface VerifyWebhookOptions {
  /** Every secret currently accepted (during a rotation: the new and the old one). */
  secrets: readonly string[];
  /** How far the timestamp may be from now, either way, in milliseconds. Default 300000 (5 minutes). */
  toleranceMillis?: number;
  /** When set, the verification-token header must equal it. */
  verificationToken?: string;
  /** Now, in ms; for tests. */
  now?: number;
}

export type VerifyWebhookResult = { ok: true; timestamp: number } | { ok: false; reason: string };

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // timingSafeEqual needs equal lengths; the length of a hex HMAC is public anyway.
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks a received webhook. `body` must be the raw request body as received
 * (re-serialized JSON would not match). Accepts a signature made with any of
 * `secrets`; rejects timestamps outside the tolerance (replays).
 */
export function verifyWebhook(request: { headers: HeaderBag; body: string | Uint8Array }, options: VerifyWebhookOptions): VerifyWebhookResult {
  if (options.secrets.length === 0) return { ok: false, reason: 'no secrets configured' };
  if (options.verificationToken !== undefined) {
    const token = header(request.headers, WEBHOOK_HEADERS.verificationToken);
    if (token === undefined || !constantTimeEqual(token, options.verificationToken)) return { ok: false, reason: `missing or wrong ${WEBHOOK_HEADERS.verificationToken}` };
  }
  const stamp = header(request.headers, WEBHOOK_HEADERS.timestamp);
  if (stamp === undefined || !/^\d+$/.test(stamp.trim())) return { ok: false, reason: `missing or malformed ${WEBHOOK_HEADERS.timestamp}` };
  const timestamp = Number(stamp.trim());
  const tolerance = (options.toleranceMillis ?? 300_000) / 1000;
  const now = (options.now ?? Date.now()) / 1000;
  if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: `timestamp ${timestamp} is more than ${tolerance} s from now (stale or replayed request)` };
  const received = header(request.headers, WEBHOOK_HEADERS.signature);
  if (!received) return { ok: false, reason: `missing ${WEBHOOK_HEADERS.signature}` };
  const signatures = received.split(',').map((s) => s.trim()).filter(Boolean);
  const base = signatureBase(timestamp, request.body);
  // Compare every pair without stopping early, so timing does not reveal which matched.
  let matched = false;
  for (const secret of options.secrets) {
    const expected = hmacHex(secret, base);
    for (const signature of signatures) if (constantTimeEqual(signature, expected)) matched = true;
  }
  return matched ? { ok: true, timestamp } : { ok: false, reason: 'no signature matches any of the secrets (wrong secret or tampered body)' };
}
