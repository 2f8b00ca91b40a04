// Checks a trail: the records a destination received, in any order, with
// duplicates (delivery is at-least-once), against the hash chain and the
// signed digests, with only the public key. It reports what it can prove
// intact and every way the trail differs from what was emitted: missing
// sequence numbers (lost or deleted records), records whose content no longer
// hashes to what the next record or a digest recorded (modified), two
// different records with one sequence number (forged), digests with a bad
// signature or an unknown key, digests missing from the digest chain, the
// unsigned tail after the last digest, and (given the time the trail should
// reach) a stream whose digests stop before it without the stream closing.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalJson as canonicalText, sha256 } from './canonical.js';
import { OtelAuditError } from '../errors.js';
import { learningCanonical } from './compiled.js';
import { DIGEST_EVENT, GENESIS, signedBytes, type Digest } from './chain.js';
import { keyIdOf, verifySignature } from './keys.js';
import { ownString, ScannedRecord, whereText } from './scanned.js';
import { SeqTable } from './seq-table.js';

/** One record as read from a destination: its body (the canonical event) and where it was read. */
export interface TrailRecord {
  body: unknown;
  /** file:line, for messages. */
  where: string;
}

export interface RecordRef {
  seq: number;
  id: string | undefined;
  where: string;
}

export interface StreamReport {
  stream: string;
  /** Distinct sequence numbers received. */
  records: number;
  lastSeq: number;
  /** Ranges of sequence numbers proven intact by a valid digest. */
  intact: { from: number; to: number }[];
  /** Missing sequence numbers: records lost or deleted, with the records on either side. */
  gaps: { from: number; to: number; after?: RecordRef; before?: RecordRef }[];
  /** Records whose content changed after they were emitted, or that contradict another record. */
  modified: (RecordRef & { reason: string })[];
  /** Identical copies received more than once (at-least-once delivery): fine. */
  duplicates: number;
  /** Records that arrived after a record with a higher sequence number: fine. */
  reordered: number;
  validDigests: number;
  /** Digests that do not verify: bad signature, unknown or untrusted key, broken digest chain. */
  forgedDigests: { where: string; reason: string }[];
  /** Holes in the digest chain: digests that were dropped. */
  missingDigests: { from: number; to: number; reason: string }[];
  /** Records after the last valid digest: not yet signed, so neither proven nor disproven. */
  unsignedTail?: { from: number; to: number };
  /** Whether the last valid digest closed the stream (the emitter shut down): nothing can follow it. */
  closed: boolean;
  /** When the last valid digest was signed. */
  lastDigestAt?: string;
  /** With `through`: why the stream's digests stop too early, without the stream closing (its end may have been deleted). */
  endsEarly?: string;
}

export interface TrailReport {
  /** True only when every record of every stream is proven intact (false for a trail with no record at all). */
  ok: boolean;
  streams: StreamReport[];
  /** Records without an integrity stamp: emitted without integrity, or inserted by someone else. */
  unchained: { id: string | undefined; where: string }[];
  /** 0: everything proven intact; 1: evidence of loss or tampering; 2: nothing wrong, but an unsigned tail. */
  exitCode: 0 | 1 | 2;
}

export interface VerifyTrailOptions {
  /** The public keys trusted to sign digests, by key id (see publicKeys). Keys named by a valid rotation digest are trusted too. */
  keys: ReadonlyMap<string, KeyObject>;
  /**
   * The time the trail should reach (the end of the export being audited). A
   * stream signs a digest at least every `intervalMillis`, with or without
   * records, and closes at shutdown; a stream not closed whose last digest is
   * older than two intervals before this time ends early: its end may have
   * been deleted, digests and all. Without it, a trail cut at a digest cannot
   * be told from a complete one.
   */
  through?: Date;
}

/** What is kept of a stamped record: its hash, not its content, so a trail of millions of records fits in memory. */
interface Stamped {
  seq: number;
  id: string | undefined;
  /** The hash it names as its predecessor's; kept only until that record is read (and always for seq 1: the genesis hash). */
  prev: string | undefined;
  /** Whether prev is the hash of the record before, once both were read. */
  linked?: boolean;
  /** Where it was read (whereText): kept apart so that no text is made for a record no message names. */
  file: string;
  line: number;
  part: number;
  /** SHA-256 of its canonical JSON; two copies are the same record exactly when their hashes are equal. */
  hash: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function refOf(record: Stamped | undefined, seq: number): RecordRef {
  return { seq, id: record?.id, where: record ? whereText(record.file, record.line, record.part) : '' };
}

function digestOf(body: Record<string, unknown>): Digest | undefined {
  const data = body.data;
  if (!isObject(data) || typeof data.stream !== 'string' || typeof data.signature !== 'string') return undefined;
  return data as unknown as Digest;
}

export function verifyTrail(records: Iterable<TrailRecord>, options: VerifyTrailOptions): TrailReport {
  // `highest`: the highest sequence number stored, so that records read in order skip lookups that cannot hit.
  type Entry = { records: SeqTable<Stamped>; highest: number; arrival: number[]; digests: { digest: Digest; where: string }[]; modified: StreamReport['modified']; duplicates: number };
  const byStream = new Map<string, Entry>();
  const unchained: TrailReport['unchained'] = [];
  let lastId: string | undefined;
  let lastEntry: Entry | undefined;
  const stream = (id: string): Entry => {
    // records of one stream come in runs: the last one is compared first, without hashing the id for the map
    if (id === lastId) return lastEntry!;
    let entry = byStream.get(id);
    if (!entry) byStream.set(id, (entry = { records: new SeqTable<Stamped>(), highest: 0, arrival: [], digests: [], modified: [], duplicates: 0 }));
    lastId = id;
    lastEntry = entry;
    return entry;
  };

  const add = (streamId: string, record: Stamped) => {
    const entry = stream(streamId);
    const inOrder = record.seq > entry.highest;
    const seen = inOrder ? undefined : entry.records.get(record.seq);
    entry.arrival.push(record.seq);
    if (!seen) {
      entry.records.set(record.seq, record);
      // Each link is checked as soon as both its records are read, so prev is not kept for every record.
      const before = entry.records.get(record.seq - 1);
      if (before) {
        record.linked = record.prev === before.hash;
        record.prev = undefined;
      } else if (record.seq !== 1) {
        record.prev = ownString(record.prev!); // kept: not a view into the text it was read from
      }
      const after = inOrder ? undefined : entry.records.get(record.seq + 1);
      if (after && after.linked === undefined) {
        after.linked = after.prev === record.hash;
        after.prev = undefined;
      }
      if (inOrder) entry.highest = record.seq;
    } else if (seen.hash === record.hash) entry.duplicates++;
    else entry.modified.push({ ...refOf(record, record.seq), reason: `a second, different record with sequence number ${record.seq} (the first is at ${whereText(seen.file, seen.line, seen.part)})` });
  };

  // Canonical JSON compiled for the shapes of the records read (the same bytes as canonicalJson, faster).
  const canonicalJson = learningCanonical();
  let unhashable = 0;
  for (const trailRecord of records) {
    // A stamped record a reader wrote straight into canonical JSON (scanned.ts): its body is not built.
    if (trailRecord instanceof ScannedRecord) {
      add(trailRecord.stream, { seq: trailRecord.seq, id: trailRecord.id, prev: trailRecord.prev, file: trailRecord.file, line: trailRecord.line, part: trailRecord.part, hash: sha256(trailRecord.canonical) });
      continue;
    }
    const { body, where } = trailRecord;
    if (!isObject(body)) {
      unchained.push({ id: undefined, where });
      continue;
    }
    if (body.name === DIGEST_EVENT) {
      const digest = digestOf(body);
      if (digest) stream(digest.stream).digests.push({ digest, where });
      else unchained.push({ id: typeof body.id === 'string' ? body.id : undefined, where });
      continue;
    }
    const stamp = body.integrity;
    if (!isObject(stamp) || typeof stamp.stream !== 'string' || typeof stamp.seq !== 'number' || !Number.isSafeInteger(stamp.seq) || stamp.seq < 1 || typeof stamp.prev !== 'string') {
      unchained.push({ id: typeof body.id === 'string' ? body.id : undefined, where });
      continue;
    }
    let hash: string;
    try {
      hash = sha256(canonicalJson(body));
    } catch (error) {
      if (!(error instanceof OtelAuditError)) throw error;
      // No canonical form (a number like 1e400, nesting past 64): the emitter cannot have written it.
      // It keeps its place, with a hash nothing matches, so the chain check names it modified.
      hash = `no canonical form ${++unhashable}`;
    }
    add(stamp.stream, { seq: stamp.seq, id: typeof body.id === 'string' ? body.id : undefined, prev: stamp.prev, file: where, line: 0, part: -1, hash });
  }

  const streams = [...byStream].map(([id, entry]) => checkStream(id, entry, options.keys, options.through));
  const proven = streams.every((s) => s.gaps.length === 0 && s.modified.length === 0 && s.forgedDigests.length === 0 && s.missingDigests.length === 0 && s.endsEarly === undefined) && unchained.length === 0;
  // Nothing read proves nothing: a trail truncated to empty must not pass.
  const empty = streams.length === 0 && unchained.length === 0;
  const exitCode = !proven || empty ? 1 : streams.some((s) => s.unsignedTail) ? 2 : 0;
  return { ok: exitCode === 0, streams, unchained, exitCode };
}

function checkStream(
  id: string,
  entry: { records: SeqTable<Stamped>; arrival: number[]; digests: { digest: Digest; where: string }[]; modified: StreamReport['modified']; duplicates: number },
  trusted: ReadonlyMap<string, KeyObject>,
  through: Date | undefined,
): StreamReport {
  const { records } = entry;

  let reordered = 0;
  let highest = 0;
  for (const seq of entry.arrival) {
    if (seq < highest) reordered++;
    highest = Math.max(highest, seq);
  }

  // Links: each record's prev must be the hash of the record before. When it is not,
  // the record before was changed after it was stamped (its hash moved).
  const modified = [...entry.modified];
  const blamed = new Set<number>();
  for (const [seq, record] of records) {
    if (seq === 1 && record.prev !== GENESIS) {
      modified.push({ ...refOf(record, seq), reason: 'the first record of the stream does not start from the genesis hash' });
      blamed.add(seq);
    }
    const before = records.get(seq - 1);
    if (before && record.linked === false && !blamed.has(seq - 1)) {
      modified.push({ ...refOf(before, seq - 1), reason: `its content no longer hashes to what record ${seq} recorded as its predecessor` });
      blamed.add(seq - 1);
    }
  }

  // Digests: verify each signature with a trusted key, then walk them in order.
  const { valid, forgedDigests } = verifyDigests(entry.digests, trusted);
  const missingDigests: StreamReport['missingDigests'] = [];

  const intact: StreamReport['intact'] = [];
  let previous: Digest | undefined;
  for (const digest of valid) {
    const expectedFrom = (previous?.to ?? 0) + 1;
    if (digest.from > expectedFrom || (previous && digest.previousSignature !== previous.signature) || (!previous && digest.previousSignature !== undefined)) {
      const reason = !previous
        ? `no digest starts the stream (the first one found covers ${coverage(digest)})`
        : `the digest after the one signed at ${previous.signedAt} (covering ${coverage(previous)}) is missing: the next one found covers ${coverage(digest)} and names another predecessor`;
      missingDigests.push({ from: expectedFrom, to: digest.from - 1, reason });
    }
    if (digest.to >= digest.from) {
      const head = records.get(digest.to)?.hash;
      if (head !== undefined && head !== digest.head && !blamed.has(digest.to)) {
        modified.push({ ...refOf(records.get(digest.to), digest.to), reason: 'its content no longer hashes to the head its digest signed' });
        blamed.add(digest.to);
      }
      let complete = true;
      for (let seq = digest.from; seq <= digest.to && complete; seq++) complete = records.has(seq) && !blamed.has(seq);
      if (complete && head === digest.head) intact.push({ from: digest.from, to: digest.to });
    }
    previous = digest;
  }

  const signedTo = valid.reduce((max, d) => Math.max(max, d.to), 0);
  // A loop, not Math.max(...keys): a trail of a few hundred thousand records would overflow the stack.
  let lastSeq = signedTo;
  for (const seq of records.keys()) if (seq > lastSeq) lastSeq = seq;
  // Gaps from the sequence numbers present, not by walking every number up to the last: a forged
  // record numbered 2^53 - 1 must cost one gap, not 2^53 steps. Every number from 1 is there when
  // there are as many records as the last number (the usual, complete trail).
  const gaps: StreamReport['gaps'] = [];
  const gap = (from: number, to: number) => gaps.push({ from, to, ...(records.has(from - 1) ? { after: refOf(records.get(from - 1), from - 1) } : {}), ...(records.has(to + 1) ? { before: refOf(records.get(to + 1), to + 1) } : {}) });
  if (records.size !== lastSeq) {
    let expected = 1;
    for (const seq of [...records.keys()].sort((a, b) => a - b)) {
      if (seq > expected) gap(expected, seq - 1);
      expected = seq + 1;
    }
    if (lastSeq >= expected) gap(expected, lastSeq);
  }
  const tail = lastSeq > signedTo ? { from: signedTo + 1, to: lastSeq } : undefined;
  const last = valid[valid.length - 1];
  const closed = last?.closed === true && last.to >= lastSeq;
  const endsEarly = !through || closed ? undefined : last ? whyEndsEarly(last, through, tail) : `no valid digest signs any of its ${records.size} records: records inserted under a stream id of their own, or a stream cut before its first digest (a stream signs one within an interval of starting: a --through before that proves nothing of it either way)`;

  return {
    stream: id,
    records: records.size,
    lastSeq,
    intact: mergeRanges(intact),
    gaps,
    modified: modified.sort((a, b) => a.seq - b.seq),
    duplicates: entry.duplicates,
    reordered,
    validDigests: valid.length,
    forgedDigests,
    missingDigests,
    ...(tail ? { unsignedTail: tail } : {}),
    closed,
    ...(last ? { lastDigestAt: last.signedAt } : {}),
    ...(endsEarly ? { endsEarly } : {}),
  };
}

/** The records a digest covers, in words (a heartbeat or a rotation covers none). */
const coverage = (d: Digest) => (d.to >= d.from ? `${d.from}-${d.to}` : `no new record after ${d.to}`);

/** Why a stream not closed, whose last valid digest is `last`, cannot reach `through`; undefined when it can. */
function whyEndsEarly(last: Digest, through: Date, tail: { from: number; to: number } | undefined): string | undefined {
  const signedAt = Date.parse(last.signedAt);
  const interval = last.intervalMillis;
  if (typeof interval !== 'number' || !(interval > 0) || !Number.isFinite(signedAt)) return `its last digest (signed at ${String(last.signedAt)}) does not say how often the stream signs one, so whether it goes on to ${through.toISOString()} cannot be proven`;
  // One interval of slack: the digest due after `last` may still be on its way through the pipeline.
  const due = signedAt + 2 * interval;
  if (due >= through.getTime()) return undefined;
  const unsigned = tail ? `records ${tail.from}-${tail.to} after it are signed by no digest` : undefined;
  if (last.closed === true) {
    // Records after a closing digest: a durable restart going on with the stream, whose digests are missing, or records inserted.
    return `the stream closed at ${last.signedAt}, but ${unsigned ?? 'records follow'} and none came though one was due by ${new Date(due).toISOString()}, before ${through.toISOString()}: they were inserted, or a restart's digests were deleted`;
  }
  return `its last digest was signed at ${last.signedAt} and the stream did not close; it signs one at least every ${interval} ms, so the next was due by ${new Date(due).toISOString()}, before ${through.toISOString()}: records and digests after ${last.signedAt} may have been deleted (or the emitter stopped without shutting down)${unsigned ? `, and ${unsigned}: inserted, or their digests deleted` : ''}`;
}

/** A digest's fields have the types a signer writes (anything else cannot be walked, signed or not). */
function wellFormed(d: Digest): boolean {
  return (
    Number.isSafeInteger(d.from) && Number.isSafeInteger(d.to) && d.from >= 1 && d.to >= d.from - 1 && typeof d.head === 'string' && typeof d.keyId === 'string' && typeof d.signedAt === 'string' &&
    (d.previousSignature === undefined || typeof d.previousSignature === 'string') && (d.intervalMillis === undefined || typeof d.intervalMillis === 'number') && (d.closed === undefined || typeof d.closed === 'boolean')
  );
}

/**
 * The digests whose signatures verify, in chain order, and those that do not.
 * Trust does not depend on the order digests arrived in: a digest whose key is
 * named by a rotation is checked once that rotation is verified. Exact copies
 * (at-least-once delivery) count once; an altered copy is checked on its own.
 */
function verifyDigests(digests: readonly { digest: Digest; where: string }[], trusted: ReadonlyMap<string, KeyObject>): { valid: Digest[]; forgedDigests: StreamReport['forgedDigests'] } {
  const keys = new Map(trusted);
  const forgedDigests: StreamReport['forgedDigests'] = [];
  const valid: Digest[] = [];
  const seen = new Set<string>();
  let pending: { digest: Digest; where: string }[] = [];
  for (const item of digests) {
    if (!wellFormed(item.digest)) {
      forgedDigests.push({ where: item.where, reason: 'its fields are not those of a digest' });
      continue;
    }
    let text: string;
    try {
      text = canonicalText(item.digest);
    } catch {
      // A value with no canonical form (1e400, nesting past 64): no signer wrote it.
      forgedDigests.push({ where: item.where, reason: 'it holds a value no signer writes (no canonical form)' });
      continue;
    }
    if (seen.has(text)) continue; // a duplicate delivery of the same digest
    seen.add(text);
    pending.push(item);
  }
  for (let progress = true; progress; ) {
    progress = false;
    const waiting: typeof pending = [];
    for (const { digest, where } of pending) {
      const key = keys.get(digest.keyId);
      if (!key) {
        waiting.push({ digest, where });
        continue;
      }
      progress = true;
      const signature = Buffer.from(digest.signature, 'base64');
      // Base64 readers skip spaces and stray padding: only the one spelling a signer writes is a copy of it.
      if (signature.toString('base64') !== digest.signature) {
        forgedDigests.push({ where, reason: 'its signature is not written as a signer writes it (canonical base64): an altered copy' });
        continue;
      }
      if (!verifySignature(key, signedBytes(digest), signature)) {
        forgedDigests.push({ where, reason: `its signature does not verify with key ${digest.keyId} (the digest was altered or forged)` });
        continue;
      }
      if (digest.nextKeyId && digest.nextPublicKey) {
        try {
          const next = createPublicKey(digest.nextPublicKey);
          if (keyIdOf(next) === digest.nextKeyId) keys.set(digest.nextKeyId, next);
          else forgedDigests.push({ where, reason: `its rotation names key ${digest.nextKeyId}, but the public key it carries has id ${keyIdOf(next)}` });
        } catch {
          forgedDigests.push({ where, reason: 'its rotation carries no valid public key' });
        }
      }
      valid.push(digest);
    }
    pending = waiting;
  }
  for (const { digest, where } of pending) forgedDigests.push({ where, reason: `signed with key ${digest.keyId}, which is neither given nor named by a verified rotation` });
  return { valid: chainOrder(valid), forgedDigests };
}

/**
 * Digests by the range they cover; digests of one range (the heartbeats of an
 * idle stream, a rotation) by which names which as its predecessor, whatever
 * order they arrived in. What the links do not order keeps its place, and the
 * walk over them names the break.
 */
function chainOrder(digests: Digest[]): Digest[] {
  digests.sort((a, b) => a.from - b.from || a.to - b.to);
  const ordered: Digest[] = [];
  for (let i = 0; i < digests.length; ) {
    let j = i + 1;
    while (j < digests.length && digests[j]!.from === digests[i]!.from && digests[j]!.to === digests[i]!.to) j++;
    const run = digests.slice(i, j);
    if (run.length > 1) {
      const after = new Map<string, Digest[]>();
      for (const d of run) {
        if (d.previousSignature === undefined) continue;
        const successors = after.get(d.previousSignature);
        if (successors) successors.push(d);
        else after.set(d.previousSignature, [d]);
      }
      const placed = new Set<Digest>();
      // Start from the digest before the run when one is, else from a digest whose predecessor is not in the run.
      let current: Digest | undefined = ordered[ordered.length - 1];
      const signatures = new Set(run.map((d) => d.signature));
      const first = (current && after.get(current.signature)?.[0]) ?? run.find((d) => d.previousSignature === undefined || !signatures.has(d.previousSignature));
      for (current = first; current && !placed.has(current); current = after.get(current.signature)?.find((d) => !placed.has(d))) {
        placed.add(current);
        ordered.push(current);
      }
      for (const d of run) if (!placed.has(d)) ordered.push(d);
    } else ordered.push(run[0]!);
    i = j;
  }
  return ordered;
}

function mergeRanges(ranges: { from: number; to: number }[]): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (const range of ranges) {
    const last = out[out.length - 1];
    if (last && range.from === last.to + 1) last.to = range.to;
    else out.push({ ...range });
  }
  return out;
}
