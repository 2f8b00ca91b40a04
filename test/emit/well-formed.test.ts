// Lone UTF-16 surrogates have no UTF-8 form: what arrives holds U+FFFD instead,
// so a stamped body is rewritten the same way before it is hashed.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuditLogger } from '../../src/emit/logger.js';
import { LONE_SURROGATE_ESCAPE, makeWellFormed } from '../../src/emit/well-formed.js';
import { publicKeys, verifyTrail } from '../../src/integrity/index.js';
import { startOtlpReceiver } from '../../src/testing/index.js';
import { catalog } from './fixtures/catalog.js';

describe('makeWellFormed', () => {
  it('replaces lone surrogates in strings and keys, nested, keeps pairs, and loses no member', () => {
    const value: Record<string, unknown> = { s: 'a\ud800b', pair: '😀', list: ['x\udc00', { 'k\ud800': 1, 'k\ufffd': 2 }] };
    expect(makeWellFormed(value)).toBe(true);
    expect(value).toEqual({ s: 'a\ufffdb', pair: '😀', list: ['x\ufffd', { 'k\ufffd': 2, 'k\ufffd\ufffd': 1 }] });
    expect(makeWellFormed({ plain: 'text', n: 1 })).toBe(false);
  });

  it('the canonical JSON of a body says when it holds one', () => {
    expect(LONE_SURROGATE_ESCAPE.test(JSON.stringify({ s: 'a\ud800' }))).toBe(true);
    expect(LONE_SURROGATE_ESCAPE.test(JSON.stringify({ s: 'a😀b', t: 'é' }))).toBe(false);
  });
});

describe('integrity with lone surrogates', () => {
  it.each(['http/json', 'http/protobuf'] as const)('verifies intact over %s', async (protocol) => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const receiver = await startOtlpReceiver();
    try {
      const audit = createAuditLogger({ catalog, endpoint: receiver.endpoint, protocol, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }, warnOnExportError: false });
      audit.emit('settings.update', { source: 'a\ud800b', data: { 'k\udc00': 'v\ud800', ok: 1 } });
      audit.emit('settings.update', { source: 'api', data: { ok: 2 } });
      await audit.shutdown();
      const trail = receiver.records.map((record, i) => ({ body: record.body, where: `received#${i}` }));
      expect((trail[0]!.body as { source: string }).source).toBe('a\ufffdb');
      const report = verifyTrail(trail, { keys: publicKeys([publicKey.export({ type: 'spki', format: 'pem' }).toString()]) });
      expect(report.streams[0]).toMatchObject({ records: 2, modified: [] });
      expect(report.ok).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
