// Signing keys for digests: Ed25519 through node:crypto, or anything that
// implements Signer (a KMS, an HSM). A key is named by its id: the first 16
// hex digits of the SHA-256 of its public key (SubjectPublicKeyInfo DER), so
// a digest says which public key checks it without carrying the key.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OtelAuditError } from '../errors.js';

/** What signs digests. `sign` may be asynchronous (a KMS call). */
export interface Signer {
  /** The key's id (keyIdOf its public key); digests name it. */
  readonly keyId: string;
  /** The public key as PEM, so a rotation digest can carry the next key. */
  readonly publicKeyPem: string;
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/**
 * A Signer from an Ed25519 private key in PEM: the text itself, `file:<path>`
 * or `env:<VARIABLE>` (the variable holds the PEM).
 */
export function ed25519Signer(source: string, env: NodeJS.ProcessEnv = process.env): Signer {
  const pem = readKeySource(source, env, 'private');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new OtelAuditError('OPTION_INVALID', `integrity signing key (${describeSource(source)}) is not a PEM private key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new OtelAuditError('OPTION_INVALID', `integrity signing key (${describeSource(source)}) is ${key.asymmetricKeyType ?? 'not asymmetric'}; digests are signed with Ed25519`);
  const publicKey = createPublicKey(key);
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (data) => sign(null, data, key),
  };
}

/** A new Ed25519 key pair for signing digests: the private key (PKCS#8 PEM) for the emitter, the public one (SPKI PEM) for auditors. */
export function generateSigningKey(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: keyIdOf(publicKey) };
}

/** Public keys by id, from PEM texts (`file:` and `env:` sources as for ed25519Signer). */
export function publicKeys(sources: readonly string[], env: NodeJS.ProcessEnv = process.env): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const source of sources) {
    const pem = readKeySource(source, env, 'public');
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (error) {
      throw new OtelAuditError('OPTION_INVALID', `public key (${describeSource(source)}) is not a PEM public key: ${(error as Error).message}`);
    }
    keys.set(keyIdOf(key), key);
  }
  return keys;
}

export function verifySignature(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}

function describeSource(source: string): string {
  return source.startsWith('file:') || source.startsWith('env:') ? source : 'inline PEM';
}

function readKeySource(source: string, env: NodeJS.ProcessEnv, kind: 'private' | 'public'): string {
  if (source.startsWith('file:')) {
    try {
      return readFileSync(source.slice(5), 'utf8');
    } catch (error) {
      throw new OtelAuditError('OPTION_INVALID', `cannot read the ${kind} key ${source}: ${(error as Error).message}`, { file: source.slice(5) });
    }
  }
  if (source.startsWith('env:')) {
    const value = env[source.slice(4)];
    if (!value) throw new OtelAuditError('OPTION_INVALID', `the ${kind} key variable ${source.slice(4)} is not set`, { path: source.slice(4) });
    return value;
  }
  return source;
}
