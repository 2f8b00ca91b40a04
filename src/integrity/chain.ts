// The hash chain of one emitting instance (a stream). Every record it stamps
// gets `integrity: { stream, seq, prev }` in its body, where `prev` is the
// hash of the record before (64 zeros for the first). Every `digestEvery`
// records (and on a timer, and at shutdown) a digest is signed: the range of
// sequence numbers, the hash of the last record (the head) and the previous
// digest's signature, so digests form a chain of their own and a dropped one
// shows. A rotation is a digest, signed by the old key, naming the next key.
// A digest is signed on the timer even when no record came (a heartbeat, as
// CloudTrail delivers digest files for idle hours), and the last one, at
// shutdown, says the stream is closed: so a trail cut short after its last
// digest shows too (verify --through).
import { randomUUID } from 'node:crypto';
import { canonicalJson, sha256 } from './canonical.js';
import type { Signer } from './keys.js';

export const GENESIS = '0'.repeat(64);
/** The event name of digest records. */
export const DIGEST_EVENT = 'audit.integrity.digest';

/** What a stamped body carries. */
export interface IntegrityStamp {
  stream: string;
  seq: number;
  prev: string;
}

/** A digest as it travels in the digest record's `data`. */
export interface Digest {
  stream: string;
  /** The first and last sequence numbers covered (to = from - 1: none, as in a rotation with no new records). */
  from: number;
  to: number;
  /** The hash of record `to` (GENESIS when none). */
  head: string;
  /** The signature of the stream's previous digest; absent on the first. */
  previousSignature?: string;
  keyId: string;
  /** A rotation: the key that signs the digests after this one. */
  nextKeyId?: string;
  nextPublicKey?: string;
  /** How often the stream promised a digest, with or without records: a later one is due by then. */
  intervalMillis?: number;
  /** The stream stopped here (shutdown): no digest is due after this one. */
  closed?: boolean;
  signedAt: string;
  /** Ed25519 signature (base64) of the canonical JSON of every other field. */
  signature: string;
}

/** Where a stream stands: what a restarted emitter needs to continue it (read back from its durable spool). */
export interface ChainResume {
  stream: string;
  /** The last sequence number stamped, and the hash of that record. */
  seq: number;
  head: string;
  /** The last sequence number the last digest covers (0: none yet), and that digest's signature. */
  signedTo: number;
  previousSignature?: string;
}

export interface IntegrityChainOptions {
  signer: Signer;
  /** Records per digest. */
  digestEvery: number;
  /** The timer's period, written into every digest so that verify knows when the next one was due. */
  intervalMillis?: number;
  /**
   * Receives each signed digest, in order, to emit it through the pipeline,
   * with where the chain stands as it is emitted: signing can take a while (a
   * KMS), and records stamped meanwhile are emitted before it.
   */
  onDigest: (digest: Digest, chain: { seq: number; head: string }) => void;
  /** Called when signing fails (a KMS outage); the range is signed with the next digest. */
  onError?: (error: Error) => void;
  /** A stream id; default a new UUID per chain (per logger instance). */
  stream?: string;
  /** Continue this stream instead of starting one (wins over `stream`). */
  resume?: ChainResume;
  now?: () => number;
}

export class IntegrityChain {
  readonly stream: string;
  private seq = 0;
  private head = GENESIS;
  private digestFrom = 1;
  /** The last sequence number a signed digest covers. */
  private signedTo = 0;
  private previousSignature: string | undefined;
  private signer: Signer;
  /** Digests are signed one after another, in order, even when signing is asynchronous. */
  private signing: Promise<void> = Promise.resolve();

  constructor(private readonly options: IntegrityChainOptions) {
    this.stream = options.resume?.stream ?? options.stream ?? randomUUID();
    this.signer = options.signer;
    if (options.resume) {
      this.seq = options.resume.seq;
      this.head = options.resume.head;
      this.signedTo = options.resume.signedTo;
      this.previousSignature = options.resume.previousSignature;
      // The records after the last digest are signed by the next one.
      this.digestFrom = options.resume.signedTo + 1;
    }
  }

  /**
   * Stamps a body (already redacted, as it will be sent) and moves the head.
   * `canonical` writes the stamped body in canonical form: canonicalJson, or a
   * serialiser compiled for the body's shape (compiled.ts), which writes the same bytes.
   */
  stamp(body: Record<string, unknown>, canonical: (body: Record<string, unknown>) => string = canonicalJson): IntegrityStamp {
    const stamp: IntegrityStamp = { stream: this.stream, seq: ++this.seq, prev: this.head };
    body.integrity = stamp;
    this.head = sha256(canonical(body));
    if (this.seq - this.digestFrom + 1 >= this.options.digestEvery) void this.digest();
    return stamp;
  }

  /** Signs a digest of the records stamped since the last one (none: nothing to do). Resolves when it was handed to onDigest. */
  digest(): Promise<void> {
    if (this.seq < this.digestFrom) return this.signing;
    return this.sign({});
  }

  /** Signs a digest even when nothing was stamped since the last one (the timer's heartbeat): the stream is alive up to now. */
  heartbeat(): Promise<void> {
    return this.sign({});
  }

  /** The last digest: it covers what is left and says the stream is closed. */
  close(): Promise<void> {
    return this.sign({ closed: true });
  }

  /** Rotates to a new key: a digest signed by the current key names it; later digests are signed by it. */
  rotate(next: Signer): Promise<void> {
    const done = this.sign({ nextKeyId: next.keyId, nextPublicKey: next.publicKeyPem });
    this.signer = next;
    return done;
  }

  private sign(extra: Pick<Digest, 'nextKeyId' | 'nextPublicKey' | 'closed'>): Promise<void> {
    const signer = this.signer;
    // What the digest covers up to is taken now; where it starts is decided in order, after the
    // digests before it: a failed signing (a KMS outage) leaves its range to the next digest.
    const to = this.seq;
    const head = this.head;
    const signedAt = new Date(this.options.now?.() ?? Date.now()).toISOString();
    this.digestFrom = this.seq + 1;
    this.signing = this.signing.then(async () => {
      const digest: Omit<Digest, 'signature'> = {
        stream: this.stream,
        from: this.signedTo + 1,
        to,
        head,
        ...(this.previousSignature ? { previousSignature: this.previousSignature } : {}),
        keyId: signer.keyId,
        ...extra,
        ...(this.options.intervalMillis !== undefined ? { intervalMillis: this.options.intervalMillis } : {}),
        signedAt,
      };
      try {
        const signature = Buffer.from(await signer.sign(Buffer.from(canonicalJson(digest)))).toString('base64');
        this.previousSignature = signature;
        this.signedTo = to;
        this.options.onDigest({ ...digest, signature }, { seq: this.seq, head: this.head });
      } catch (error) {
        this.options.onError?.(error as Error);
      }
    });
    return this.signing;
  }
}

/** The bytes a digest's signature covers: the canonical JSON of every field but the signature. */
export function signedBytes(digest: Digest): Buffer {
  const { signature: _signature, ...rest } = digest;
  return Buffer.from(canonicalJson(rest));
}
