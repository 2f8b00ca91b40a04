// The public surface and its docs agree: every export of every entry point
// (read from the API reports that `npm test` checks against the build) is
// named in docs/api.md, docs/api.md names nothing that is not exported, and
// every error code is listed in docs/errors.md.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { packageRoot } from '../../src/package-root.js';

const root = packageRoot();
const reports = readdirSync(join(root, 'api')).filter((f) => f.endsWith('.api.md'));
const exported = new Set(reports.flatMap((f) => [...readFileSync(join(root, 'api', f), 'utf8').matchAll(/^export (?:declare )?(?:abstract )?(?:interface|type|class|function|const|enum) (\w+)/gm)].map((m) => m[1]!)));
const apiDoc = readFileSync(join(root, 'docs', 'api.md'), 'utf8');
const tableNames = new Set([...apiDoc.matchAll(/^\| (.+?) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`(\w+)`/g)].map((n) => n[1]!)));

describe('docs/api.md', () => {
  it('has a report for each of the six entry points', () => {
    expect(reports.sort()).toEqual(['otel-audit-collector.api.md', 'otel-audit-delivery.api.md', 'otel-audit-integrity.api.md', 'otel-audit-sigma.api.md', 'otel-audit-testing.api.md', 'otel-audit.api.md']);
  });

  it('names every export of every entry point', () => {
    expect([...exported].filter((name) => !tableNames.has(name))).toEqual([]);
  });

  it('names nothing in its tables that no entry point exports', () => {
    expect([...tableNames].filter((name) => !exported.has(name))).toEqual([]);
  });
});

describe('docs/errors.md', () => {
  const listed = [...readFileSync(join(root, 'docs', 'errors.md'), 'utf8').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  it('lists every error code, and only those', () => {
    expect(listed.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
