// Webhook signatures, Opal style: HMAC-SHA256 over `v0:<timestamp>:<body>`, hex,
// one signature per secret, comma separated, so a secret can be rotated without
// downtime. Plus a GitLab-style verification token header.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { OtelAuditError } from '../../errors.js';

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

/**
 * Refuses an empty or blank secret: an HMAC with an empty key is one anyone can compute,
 * so a request "signed" with it proves nothing. Secret values never go into the message.
 */
function checkSecrets(caller: string, option: string, secrets: readonly unknown[]): void {
  // A lone string (`secrets: process.env.SECRET`) would otherwise fail as "forEach is not a function".
  if (!Array.isArray(secrets)) throw new OtelAuditError('OPTION_INVALID', `${caller}: option ${option} must be an array of secrets (current first), got ${typeof secrets}`, { path: option });
  if (secrets.length === 0) throw new OtelAuditError('OPTION_INVALID', `${caller}: option ${option} must hold at least one secret`, { path: option });
  secrets.forEach((secret, i) => {
    if (typeof secret !== 'string' || secret.trim() === '') {
      throw new OtelAuditError('OPTION_INVALID', `${caller}: option ${option}[${i}] must be a non-empty string (anyone can forge a signature made with an empty secret)`, { path: `${option}[${i}]` });
    }
  });
}

/** The signature header value: one hex HMAC per secret, current first, joined by ", ". */
export function signWebhookBody(body: string | Uint8Array, secrets: readonly string[], timestamp: number): string {
  checkSecrets('signWebhookBody', 'secrets', secrets);
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
  /** Every secret currently accepted (during a rotation: the new and the old one). None may be empty. */
  secrets: readonly string[];
  /** How far the timestamp may be from now, either way, in milliseconds: a finite number above 0. Default 300000 (5 minutes). */
  toleranceMillis?: number;
  /** When set, the verification-token header must equal it. */
  verificationToken?: string;
  /** Remembers verified requests so that the same request sent again within the tolerance window is rejected ('replayed'). From createReplayCache(). */
  replayCache?: ReplayCache;
  /** Now, in ms; for tests. */
  now?: number;
}

export type VerifyWebhookResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/** What verifyWebhook needs from a replay cache (createReplayCache makes one). */
export interface ReplayCache {
  /** The most requests it remembers at once. */
  readonly maxEntries: number;
  /** How many it remembers now. */
  readonly size: number;
  /** Remembers `key` until `expiresAtMillis`; false when it is remembered already (a replay). */
  remember(key: string, expiresAtMillis: number, nowMillis: number): boolean;
}

export interface ReplayCacheOptions {
  /**
   * The most requests remembered at once; default 10000. When full, the oldest is forgotten
   * (its replay would then pass), so size it to the most requests you accept within
   * twice the tolerance window. Each entry takes about 200 bytes.
   */
  maxEntries?: number;
}

/**
 * A bounded memory of verified requests for verifyWebhook's `replayCache`. An entry is kept
 * until its timestamp leaves the tolerance window (after that the timestamp check rejects
 * the request anyway), or until it is the oldest of a full cache. One process only:
 * receivers behind a load balancer each see part of the replays.
 */
export function createReplayCache(options: ReplayCacheOptions = {}): ReplayCache {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!(Number.isInteger(maxEntries) && maxEntries > 0)) throw new OtelAuditError('OPTION_INVALID', 'createReplayCache: option maxEntries must be a positive integer', { path: 'maxEntries' });
  // key → expiry in ms, in insertion order (a Map iterates oldest first).
  const seen = new Map<string, number>();
  return {
    maxEntries,
    get size() {
      return seen.size;
    },
    remember(key, expiresAtMillis, nowMillis) {
      // Forget expired entries from the oldest on. Requests arrive roughly in timestamp
      // order, so this stops early; one that lingers is still bounded by maxEntries.
      for (const [oldKey, expiry] of seen) {
        if (expiry >= nowMillis) break;
        seen.delete(oldKey);
      }
      const known = seen.get(key);
      if (known !== undefined && known >= nowMillis) return false;
      seen.delete(key);
      while (seen.size >= maxEntries) seen.delete(seen.keys().next().value!);
      seen.set(key, expiresAtMillis);
      return true;
    },
  };
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // timingSafeEqual needs equal lengths; the length of a hex HMAC is public anyway.
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks a received webhook. `body` must be the raw request body as received
 * (re-serialized JSON would not match). Accepts a signature made with any of
 * `secrets`; rejects timestamps outside the tolerance (stale requests) and, given a
 * `replayCache`, a request it already accepted (reason 'replayed'). Throws
 * OtelAuditError OPTION_INVALID for an empty secret or a tolerance that is not a
 * finite positive number: both would accept forged or ancient requests.
 */
export function verifyWebhook(request: { headers: HeaderBag; body: string | Uint8Array }, options: VerifyWebhookOptions): VerifyWebhookResult {
  if (Array.isArray(options.secrets) && options.secrets.length === 0) return { ok: false, reason: 'no secrets configured' };
  checkSecrets('verifyWebhook', 'secrets', options.secrets);
  const toleranceMillis = options.toleranceMillis ?? 300_000;
  // NaN would make every timestamp comparison false, and so accept any age.
  if (!(typeof toleranceMillis === 'number' && Number.isFinite(toleranceMillis) && toleranceMillis > 0)) throw new OtelAuditError('OPTION_INVALID', 'verifyWebhook: option toleranceMillis must be a finite number of milliseconds above 0', { path: 'toleranceMillis' });
  const nowMillis = options.now ?? Date.now();
  if (!Number.isFinite(nowMillis)) throw new OtelAuditError('OPTION_INVALID', 'verifyWebhook: option now must be a finite number of milliseconds', { path: 'now' });
  if (options.verificationToken !== undefined) {
    const token = header(request.headers, WEBHOOK_HEADERS.verificationToken);
    if (token === undefined || !constantTimeEqual(token, options.verificationToken)) return { ok: false, reason: `missing or wrong ${WEBHOOK_HEADERS.verificationToken}` };
  }
  const stamp = header(request.headers, WEBHOOK_HEADERS.timestamp);
  if (stamp === undefined || !/^\d+$/.test(stamp.trim())) return { ok: false, reason: `missing or malformed ${WEBHOOK_HEADERS.timestamp}` };
  const timestamp = Number(stamp.trim());
  const tolerance = toleranceMillis / 1000;
  const now = nowMillis / 1000;
  if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: `timestamp ${timestamp} is more than ${tolerance} s from now (stale or replayed request)` };
  const received = header(request.headers, WEBHOOK_HEADERS.signature);
  if (!received) return { ok: false, reason: `missing ${WEBHOOK_HEADERS.signature}` };
  const signatures = received.split(',').map((s) => s.trim()).filter(Boolean);
  const base = signatureBase(timestamp, request.body);
  // Compare every pair without stopping early, so timing does not reveal which matched.
  let matched = false;
  const expected = options.secrets.map((secret) => hmacHex(secret, base));
  for (const hmac of expected) {
    for (const signature of signatures) if (constantTimeEqual(signature, hmac)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'no signature matches any of the secrets (wrong secret or tampered body)' };
  // Keyed on what is signed (the timestamp, and the body through its HMAC with the first
  // secret), not on the raw signature header: a replay that adds, drops or reorders
  // signatures in that header must not look like a new request.
  if (options.replayCache && !options.replayCache.remember(`${timestamp}:${expected[0]!}`, timestamp * 1000 + toleranceMillis, nowMillis)) return { ok: false, reason: 'replayed' };
  return { ok: true, timestamp };
}
