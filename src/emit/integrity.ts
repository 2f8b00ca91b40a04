// The `integrity` option of createAuditLogger: every record is stamped into
// the logger's hash chain before it is queued, and each signed digest is
// emitted as an audit record of its own (event `audit.integrity.digest`),
// through the same pipeline to every destination (docs/integrity.md).
import { diag, type Logger } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { spooledTail } from '../delivery/durable/processor.js';
import type { DurableLogRecordProcessor } from '../delivery/index.js';
import type { Catalog, CatalogEvent } from '../event/catalog.js';
import { contract, contractField } from '../event/contract.js';
import { uuidv7 } from '../event/uuid.js';
import { canonicalJson, sha256 } from '../integrity/canonical.js';
import { DIGEST_EVENT, IntegrityChain, type ChainResume, type Digest } from '../integrity/chain.js';
import { compileCanonical, schemaShape, type CompiledCanonical, type Shape } from '../integrity/compiled.js';
import { ed25519Signer, type Signer } from '../integrity/keys.js';
import { OtelAuditError } from '../errors.js';
import { markMapped, type AuditLogRecord } from './to-log-record.js';
import { LONE_SURROGATE_ESCAPE, makeWellFormed } from './well-formed.js';

export interface IntegrityOptions {
  /** The Ed25519 signing key: PEM text, `file:<path>` or `env:<VARIABLE>`; or any Signer (a KMS). */
  key: string | Signer;
  /** Records per digest. Default 1000. */
  digestEvery?: number;
  /** A digest at least this often, with or without records (a heartbeat, so that a trail cut short shows). Default 60000 (one minute). */
  digestIntervalMillis?: number;
  /** Called when a digest cannot be signed (its range goes into the next digest). */
  onError?: (error: Error) => void;
}

/** The attributes a stamped record carries besides its body's `integrity`, for SIEM searches. */
export const INTEGRITY_ATTRIBUTES = { stream: 'audit.integrity.stream', seq: 'audit.integrity.seq' } as const;
/** On a digest record: the last sequence number stamped when it was emitted, and that record's hash (where a restart goes on from). */
const DIGEST_CHAIN_ATTRIBUTES = { seq: 'audit.integrity.seq', head: 'audit.integrity.head' } as const;

export interface IntegrityHandle {
  /** This logger's stream id. */
  readonly stream: string;
  /** Signs a digest of what was stamped since the last one now. */
  digest(): Promise<void>;
  /** Rotates to a new key: a digest signed by the current key names the next one. */
  rotate(key: string | Signer): Promise<void>;
}

export interface LoggerIntegrity extends IntegrityHandle {
  stamp(record: AuditLogRecord): void;
  /** The final digest, which says the stream is closed; then no more timers. */
  close(): Promise<void>;
}

const MAX_TIMER_MILLIS = 2 ** 31 - 1;

function signerOf(key: string | Signer): Signer {
  return typeof key === 'string' ? ed25519Signer(key) : key;
}

/** The members a stamped body of `event` can have: the contract's fields, the event's data schema, the integrity stamp. */
function bodyShape(event: CatalogEvent): Shape {
  const shape = new Map<string, Shape | undefined>();
  for (const row of contract().fields) {
    if (row.from === 'catalog' || row.field === 'data') continue;
    let node = shape;
    const path = row.field.split('.');
    path.slice(0, -1).forEach((name) => {
      let child = node.get(name) as Map<string, Shape | undefined> | undefined;
      if (!child) node.set(name, (child = new Map()));
      node = child;
    });
    if (!node.has(path[path.length - 1]!)) node.set(path[path.length - 1]!, undefined);
  }
  shape.set('data', schemaShape(event.definition.data));
  shape.set('integrity', new Map([['stream', undefined], ['seq', undefined], ['prev', undefined]]));
  return shape;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isHash = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
const isSeq = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Where the stream of the newest stamped record in a durable spool stands: its
 * last record (seq, hash) and its last digest, read from the records the spool
 * keeps (the newest digest and everything after it). Undefined when there is
 * nothing to continue, or when the digest state cannot be found (then a new
 * stream starts, as without a spool).
 */
export function resumeFromSpool(records: readonly ReadableLogRecord[]): ChainResume | undefined {
  let last: { body: Record<string, unknown>; stream: string; seq: number } | undefined;
  // The newest digest (a heartbeat, or the closing digest): when it signs up to the newest record, or no
  // record is left beside it (the segment of the last one may be gone), it holds all the stream needs.
  // A digest is emitted after its signing, so records stamped meanwhile can come before it in the spool.
  let lastDigest: ChainResume | undefined;
  for (const record of records) {
    const body = isRecord(record.body) ? record.body : undefined;
    const stamp = body?.integrity;
    const data = body && isRecord(body.data) ? body.data : undefined;
    if (record.eventName === DIGEST_EVENT) {
      if (data && typeof data.stream === 'string' && isSeq(data.to) && isHash(data.head) && typeof data.signature === 'string') {
        // Where the chain stood as the digest was emitted (records stamped while it was signed came first).
        const seq = record.attributes[DIGEST_CHAIN_ATTRIBUTES.seq];
        const head = record.attributes[DIGEST_CHAIN_ATTRIBUTES.head];
        const state = isSeq(seq) && seq >= data.to && isHash(head) ? { seq, head } : { seq: data.to, head: data.head };
        lastDigest = { stream: data.stream, ...state, signedTo: data.to, previousSignature: data.signature };
      }
    } else if (isRecord(stamp) && typeof stamp.stream === 'string' && isSeq(stamp.seq) && isHash(stamp.prev)) {
      last = { body: body!, stream: stamp.stream, seq: stamp.seq };
    }
  }
  if (lastDigest && (!last || (last.stream === lastDigest.stream && last.seq <= lastDigest.seq))) return lastDigest;
  if (!last) return undefined;
  const { stream } = last;
  let digest: { to: number; signature: string } | undefined;
  let sawFirst = false;
  for (const record of records) {
    const body = isRecord(record.body) ? record.body : undefined;
    const data = body && isRecord(body.data) ? body.data : undefined;
    if (record.eventName === DIGEST_EVENT && data?.stream === stream && isSeq(data.to) && typeof data.signature === 'string' && data.to <= last.seq) digest = { to: data.to, signature: data.signature };
    if (isRecord(body?.integrity) && body.integrity.stream === stream && body.integrity.seq === 1) sawFirst = true;
  }
  // Without its last digest the digest chain cannot go on (unless the stream never had one).
  if (!digest && !sawFirst) return undefined;
  return { stream, seq: last.seq, head: sha256(canonicalJson(last.body)), signedTo: digest?.to ?? 0, ...(digest ? { previousSignature: digest.signature } : {}) };
}

export function createLoggerIntegrity(options: IntegrityOptions, logger: Logger, catalog: Catalog, durable?: DurableLogRecordProcessor): LoggerIntegrity {
  const { domain } = catalog;
  const digestEvery = options.digestEvery ?? 1000;
  const interval = options.digestIntervalMillis ?? 60_000;
  if (!Number.isSafeInteger(digestEvery) || digestEvery < 1) throw new OtelAuditError('OPTION_INVALID', `integrity.digestEvery must be a positive integer (got ${String(digestEvery)})`, { path: 'integrity.digestEvery' });
  // Node's timers hold at most 2^31 - 1 ms (a longer one fires after 1 ms), and each tick signs a digest record.
  if (typeof interval !== 'number' || !(interval >= 1 && interval <= MAX_TIMER_MILLIS)) throw new OtelAuditError('OPTION_INVALID', `integrity.digestIntervalMillis must be a number of milliseconds from 1 to ${MAX_TIMER_MILLIS} (got ${String(interval)})`, { path: 'integrity.digestIntervalMillis' });
  // With a durable spool, the chain survives restarts: the stream goes on from the last record spooled.
  let resume: ChainResume | undefined;
  if (durable) {
    try {
      resume = resumeFromSpool(spooledTail(durable));
    } catch (error) {
      diag.warn(`otel-audit integrity: could not read the chain head back from the spool ${durable.directory} (${(error as Error).message}); starting a new stream`);
    }
  }
  const chain = new IntegrityChain({ signer: signerOf(options.key), digestEvery, intervalMillis: interval, onDigest: (digest, state) => logger.emit(digestRecord(digest, domain, state)), onError: options.onError, resume });
  // Canonical JSON on the emit path: a serialiser compiled per catalog event, on first use.
  const serialisers = new Map<string, CompiledCanonical>();
  const serialiser = (name: string): CompiledCanonical => {
    let compiled = serialisers.get(name);
    if (!compiled) {
      const event = catalog.events.get(name);
      // Only catalog events are cached: names from elsewhere must not grow the map.
      if (!event) return wellFormedFirst(canonicalJson);
      compiled = wellFormedFirst(compileCanonical(bodyShape(event)));
      serialisers.set(name, compiled);
    }
    return compiled;
  };
  const timer = setInterval(() => void chain.heartbeat(), interval);
  timer.unref();
  return {
    stream: chain.stream,
    stamp(record) {
      const { seq } = chain.stamp(record.body, serialiser(record.eventName));
      record.attributes[INTEGRITY_ATTRIBUTES.stream] = chain.stream;
      record.attributes[INTEGRITY_ATTRIBUTES.seq] = seq;
    },
    digest: () => chain.digest(),
    rotate: (key) => chain.rotate(signerOf(key)),
    async close() {
      clearInterval(timer);
      await chain.close();
    },
  };
}

/**
 * A serialiser that first rewrites lone surrogates in the body with U+FFFD
 * (well-formed.ts): the body is stamped as it will arrive, whatever the transport.
 */
function wellFormedFirst(serialise: CompiledCanonical): CompiledCanonical {
  return (body) => {
    const text = serialise(body);
    return LONE_SURROGATE_ESCAPE.test(text) && makeWellFormed(body) ? serialise(body) : text;
  };
}

/** A digest as an audit record: the contract's attributes, the digest in `data` (and flattened, for searches). */
function digestRecord(digest: Digest, domain: string, chain: { seq: number; head: string }): AuditLogRecord {
  const now = Date.now();
  const id = uuidv7(now);
  const body = markMapped({ id, name: DIGEST_EVENT, time: new Date(now).toISOString(), severity: 'info' as const, source: 'system', actor: { type: 'system', id: 'otel-audit' }, data: { ...digest } });
  const info = contract().severities.info;
  const mark = contract().sensitive.emitterMark;
  const attributes: Record<string, string | number | boolean> = {
    [contractField('id').attribute!]: id,
    [contractField('name').attribute!]: DIGEST_EVENT,
    [contractField('domain').attribute!]: domain,
    [mark.attribute]: mark.value,
    [INTEGRITY_ATTRIBUTES.stream]: digest.stream,
    [DIGEST_CHAIN_ATTRIBUTES.seq]: chain.seq,
    [DIGEST_CHAIN_ATTRIBUTES.head]: chain.head,
  };
  for (const [key, value] of Object.entries(digest) as [string, string | number | boolean | undefined][]) if (value !== undefined) attributes[`audit.data.${key}`] = value;
  return { eventName: DIGEST_EVENT, timestamp: [Math.floor(now / 1000), (now % 1000) * 1e6], severityNumber: info.number, severityText: info.text, body, attributes };
}
