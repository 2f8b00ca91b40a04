// otel-audit/integrity: tamper evidence for audit trails (docs/integrity.md).
// The emitter side is the `integrity` option of createAuditLogger; this door
// holds the keys, the checks and the readers an auditor needs.
export { verifyTrail, type TrailReport, type StreamReport, type TrailRecord, type RecordRef, type VerifyTrailOptions } from './verify.js';
export { readTrail, type ReadTrailResult } from './read.js';
export { ed25519Signer, generateSigningKey, publicKeys, keyIdOf, type Signer } from './keys.js';
export { DIGEST_EVENT, type Digest, type IntegrityStamp } from './chain.js';
export { canonicalJson, recordHash } from './canonical.js';
