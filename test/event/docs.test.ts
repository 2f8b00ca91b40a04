// The docs follow the contract: docs/contract.md has a row for every field of
// schemas/contract.json with all its targets, every severity and every value
// pattern; docs/emit.md states the default limits and the time rule.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { MAX_EVENT_TIME_AHEAD_MS, MIN_EVENT_TIME_MS } from '../../src/event/validate.js';
import { DEFAULT_LIMITS } from '../../src/emit/to-log-record.js';
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

  it('has a row for every value pattern with its regex, triggers and shortest match', () => {
    for (const pattern of contract().sensitive.valuePatterns) {
      const row = rows.find((line) => line.startsWith(`| \`${pattern.name}\` |`));
      expect(row, `docs/contract.md has no row for the value pattern ${pattern.name}`).toBeDefined();
      expect(row).toContain(`\`${pattern.regex.replaceAll('|', '\\|')}\``);
      for (const trigger of pattern.triggers) expect(row).toContain(`\`${trigger}\``);
      expect(row).toMatch(new RegExp(`\\| ${pattern.minLength} \\|$`));
    }
  });
});

describe('docs/emit.md', () => {
  const text = page('emit.md');
  it('shows every value pattern and the default limits', () => {
    for (const pattern of contract().sensitive.valuePatterns) expect(text).toContain(`| \`${pattern.name}\` |`);
    expect(text).toContain(`(\`limits.maxFieldLength\`, default ${DEFAULT_LIMITS.maxFieldLength.toLocaleString('en-US')} characters)`);
    expect(text).toContain(`(\`limits.maxRecordBytes\`, default ${DEFAULT_LIMITS.maxRecordBytes.toLocaleString('en-US')} = 256 KiB)`);
    expect(text).toContain(`(\`limits.maxDataBytes\`, default ${DEFAULT_LIMITS.maxDataBytes.toLocaleString('en-US')})`);
    for (const [field, limit] of Object.entries(DEFAULT_LIMITS.maxFieldLengths)) {
      expect(text).toContain(`\`${field}\``);
      expect(text).toContain(limit.toLocaleString('en-US'));
    }
  });

  it('states the time rule with its bounds', () => {
    expect(MIN_EVENT_TIME_MS).toBe(Date.parse('2000-01-01T00:00:00Z'));
    expect(MAX_EVENT_TIME_AHEAD_MS).toBe(24 * 3600 * 1000);
    expect(text).toContain('not before `2000-01-01T00:00:00Z`');
    expect(text).toContain('not more than one day after now');
  });
});
