// The docs follow the contract: docs/contract.md has a row for every field of
// schemas/contract.json with all its targets, and every severity.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { packageRoot } from '../../src/package-root.js';

const page = (name: string) => readFileSync(join(packageRoot(), 'docs', name), 'utf8');

describe('docs/contract.md', () => {
  const rows = page('contract.md').split('\n').filter((line) => line.startsWith('| `'));

  for (const field of contract().fields) {
    it(`lists ${field.field}`, () => {
      const row = rows.find((line) => line.startsWith(`| \`${field.field}\``));
      expect(row, `docs/contract.md has no row for ${field.field}`).toBeDefined();
      for (const target of [field.attribute, ...(field.alsoAttributes ?? []), field.recordField, field.attributePrefix && `${field.attributePrefix}*`]) {
        if (target) expect(row).toContain(`\`${target}\``);
      }
    });
  }

  it('lists every severity with its number and text', () => {
    for (const [name, level] of Object.entries(contract().severities)) {
      expect(rows).toContain(`| \`${name}\` | ${level.number} | \`${level.text}\` |`);
    }
  });

  it('names every default sensitive key and the replacement', () => {
    const text = page('contract.md');
    for (const name of contract().sensitive.names) expect(text).toContain(`\`${name}\``);
    expect(text).toContain(`\`${contract().sensitive.replacement}\``);
  });
});
