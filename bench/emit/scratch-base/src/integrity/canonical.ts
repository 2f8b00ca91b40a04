// The canonical form the hash chain covers: RFC 8785 (JSON Canonicalization
// Scheme), as `canonicalize` (the scheme authors' implementation) makes it,
// after one normalisation both sides agree on: an object member whose value is
// null, undefined or an empty object is left out, because the way to a SIEM
// cannot keep them apart from a missing member (an empty OTLP AnyValue decodes
// to null; OpenSearch's flattened documents drop empty objects). So the
// emitter and `otel-audit verify` hash the same bytes for a record however it
// travelled.
import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { OtelAuditError } from '../errors.js';

function normalise(value: unknown, depth: number): unknown {
  if (depth > 64) throw new OtelAuditError('INPUT_INVALID', 'an audit record nests deeper than 64 levels');
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : normalise(item, depth + 1)));
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === null || member === undefined) continue;
      const inner = normalise(member, depth + 1);
      if (typeof inner === 'object' && inner !== null && !Array.isArray(inner) && !(inner instanceof Date) && Object.keys(inner).length === 0) continue;
      // "__proto__" is a member like any other here, not the prototype.
      Object.defineProperty(out, key, { value: inner, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Characters JSON.stringify would escape (quote, backslash, controls) or that may be half a surrogate pair. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
export const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string, as JSON.stringify writes it; most strings need no escaping, and skip its call. */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** One JSON value in RFC 8785 form at nesting `depth`; null and undefined object members are left out. */
export function serialise(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new OtelAuditError('INPUT_INVALID', `${String(value)} has no JSON form`);
      return String(value === 0 ? 0 : value); // ECMAScript Number::toString, as RFC 8785 asks; -0 is 0
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth > 64) throw new OtelAuditError('INPUT_INVALID', 'an audit record nests deeper than 64 levels');
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          out += (i === 0 ? '' : ',') + (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : serialise(item, depth + 1));
        }
        return `${out}]`;
      }
      if (value instanceof Date) return JSON.stringify(value);
      const record = value as Record<string, unknown>;
      // Array#sort's default order is by UTF-16 code units, the order RFC 8785 requires.
      const names = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const name of names) {
        const member = record[name];
        if (member === null || member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
        const text = serialise(member, depth + 1);
        // An empty object is left out like null: stores that flatten documents (OpenSearch) cannot keep it.
        if (text === '{}') continue;
        out += `${first ? '' : ','}${quote(name)}:${text}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new OtelAuditError('INPUT_INVALID', `a ${typeof value} has no JSON form`);
  }
}

/**
 * RFC 8785 canonical JSON of a record body, null members left out. A direct
 * serialiser, byte for byte what `canonicalize` makes after the same
 * normalisation (test/integrity/canonical.property.test.ts checks), at a
 * fraction of the cost: it runs once per emitted record.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, 0);
}

/** The reference path: normalise, then the library. */
export function canonicalSlow(value: unknown): string {
  const text = canonicalize(normalise(value, 0));
  if (text === undefined) throw new OtelAuditError('INPUT_INVALID', 'an audit record has no JSON form');
  return text;
}

/** SHA-256 (hex) of the canonical JSON: the hash the next record's `integrity.prev` names. */
export function recordHash(body: unknown): string {
  return sha256(canonicalJson(body));
}

export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}
