// lowerCase(): the engine's toLowerCase() that returns lower-case ASCII text
// itself (no copy per event); it must give what toLowerCase() gives, and the
// matchers that use it must still compare case-insensitively.
import { describe, expect, it } from 'vitest';
import { compileDetection } from '../../src/sigma/detection.js';
import { AttributeView } from '../../src/sigma/events.js';
import { lowerCase } from '../../src/sigma/values.js';

describe('lowerCase', () => {
  it('equals toLowerCase() and returns lower-case ASCII text itself', () => {
    for (const text of ['', 'auth.login', 'Auth.Login', 'ADMIN', 'a-z_0-9 @[`{', 'İstanbul', 'ΣΑΣ', 'ǅ', '\u212a', 'straße', 'x\u00c0y', '😀A']) {
      expect(lowerCase(text)).toBe(text.toLowerCase());
    }
    const text = ['auth', 'login'].join('.');
    expect(lowerCase(text)).toBe(text);
  });

  it('keeps matching case-insensitive on every path that lower-cases event values', () => {
    const match = (detection: Record<string, unknown>, attributes: Record<string, unknown>) => compileDetection({ ...detection, condition: 'selection' }).match(new AttributeView(attributes, undefined));
    // one value (eq), a list (set lookup), contains/startswith/endswith
    expect(match({ selection: { 'user.id': 'kelvin' } }, { 'user.id': '\u212aELVIN' })).toBe(true);
    expect(match({ selection: { 'user.id': 'kelvin' } }, { 'user.id': 'kelvim' })).toBe(false);
    expect(match({ selection: { 'audit.data.role': ['admin', 'owner'] } }, { 'audit.data.role': 'OWNER' })).toBe(true);
    expect(match({ selection: { 'audit.data.role': ['admin', 'owner'] } }, { 'audit.data.role': '\u212aowner' })).toBe(false);
    expect(match({ selection: { 'audit.data.role': ['k', 'owner'] } }, { 'audit.data.role': '\u212a' })).toBe(true);
    expect(match({ selection: { 'audit.data.scopes|contains': 'admin' } }, { 'audit.data.scopes': 'repo:read,ADMIN:hooks' })).toBe(true);
    expect(match({ selection: { 'audit.data.url|startswith': 'http:' } }, { 'audit.data.url': 'HTTP://x' })).toBe(true);
    expect(match({ selection: { 'audit.data.url|endswith': '/hook' } }, { 'audit.data.url': 'https://x/Hook' })).toBe(true);
    expect(match({ selection: { 'audit.data.url|endswith': '/hook' } }, { 'audit.data.url': 'https://x/hoo' })).toBe(false);
  });
});
