// The canonical form the hash chain covers: RFC 8785 (JSON Canonicalization
// Scheme), made by `canonicalize`, the scheme authors' implementation, after
// one normalisation both sides agree on. An object member whose value is null
// or undefined is left out, because OTLP cannot tell them apart from a missing
// member on the way to a SIEM (an empty AnyValue decodes to null, undefined is
// not sent). So the emitter and `otel-audit verify` hash the same bytes for a
// record however it travelled.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { OtelAuditError } from '../errors.js';

function normalise(value: unknown, depth: number): unknown {
  if (depth > 64) throw new OtelAuditError('INPUT_INVALID', 'an audit record nests deeper than 64 levels');
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : normalise(item, depth + 1)));
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== null && member !== undefined) out[key] = normalise(member, depth + 1);
    return out;
  }
  return value;
}

/** RFC 8785 canonical JSON of a record body, null members left out. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(normalise(value, 0));
  if (text === undefined) throw new OtelAuditError('INPUT_INVALID', 'an audit record has no JSON form');
  return text;
}

/** SHA-256 (hex) of the canonical JSON: the hash the next record's `integrity.prev` names. */
export function recordHash(body: unknown): string {
  return sha256(canonicalJson(body));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
