// Size and shape limits of the destinations file (docs/collector.md, "Limits
// and what is refused"): a hostile file fails fast with a DestinationsError
// naming the file, before it costs seconds or memory. The time bounds are
// generous for a loaded machine; before these limits a 30 MB file took 30 s
// and 920 MB, a map of 60,000 keys (830 KB) about 90 s.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DestinationsError, loadDestinations, parseDestinations } from '../../src/collector/index.js';
import { MAX_DEPTH, MAX_FILE_BYTES, MAX_ISSUES, MAX_VALUES } from '../../src/collector/load.js';

/** The error `f` throws (it must be a DestinationsError) and how long it took. */
function refusal(f: () => unknown): { error: DestinationsError; ms: number } {
  const start = performance.now();
  try {
    f();
  } catch (error) {
    const ms = performance.now() - start;
    if (!(error instanceof DestinationsError)) throw error;
    return { error, ms };
  }
  throw new Error('expected a DestinationsError');
}

const destinations = 'destinations:\n  - name: d\n    type: debug\n';
const dir = mkdtempSync(join(tmpdir(), 'otel-audit-limits-'));

describe('the size limit', () => {
  it('refuses a 30 MB file before reading it, naming the file and the limit', () => {
    const file = join(dir, 'huge.yaml');
    const text = `domain: acme.audit\n${destinations}# ${'x'.repeat(30 * 1024 * 1024)}\n`;
    writeFileSync(file, text);
    const { error, ms } = refusal(() => loadDestinations(file));
    expect(ms).toBeLessThan(1000);
    expect(error.message).toContain(`${file}: (file): the file is ${text.length} bytes, over the limit of 1 MiB (1048576 bytes)`);
    expect(error.code).toBe('DESTINATIONS_INVALID');
  });

  it('stops reading an endless stream at the limit', () => {
    const { error, ms } = refusal(() => loadDestinations('/dev/zero'));
    expect(ms).toBeLessThan(1000);
    expect(error.message).toContain('/dev/zero: (file): the file is larger than that, over the limit of 1 MiB');
  });

  it('applies the same limit to text given to parseDestinations, in bytes', () => {
    const text = `domain: acme.audit\n${destinations}# ${'é'.repeat(MAX_FILE_BYTES / 2)}\n`;
    expect(text.length).toBeLessThan(MAX_FILE_BYTES);
    const { error } = refusal(() => parseDestinations(text, 'wide.yaml'));
    expect(error.message).toMatch(/wide\.yaml: \(file\): the file is \d+ bytes, over the limit of 1 MiB/);
  });

  it('still reads a file just under the limit', () => {
    const text = `domain: acme.audit\n${destinations}`;
    const padded = `${text}#${' '.repeat(MAX_FILE_BYTES - text.length - 2)}\n`;
    expect(Buffer.byteLength(padded)).toBe(MAX_FILE_BYTES);
    expect(parseDestinations(padded).destinations[0]!.name).toBe('d');
  });
});

describe('aliases', () => {
  it('refuses a "billion laughs" document fast, naming the file', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const [name, previous] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const text = `domain: acme.audit\nx:\n${levels.map((l) => `  ${l}`).join('\n')}\n${destinations}`;
    const { error, ms } = refusal(() => parseDestinations(text, 'laughs.yaml'));
    expect(ms).toBeLessThan(2000);
    expect(error.issues).toEqual([{ file: 'laughs.yaml', path: '', message: 'its aliases (*name) expand too much (over 100 expansions): a "billion laughs" document?' }]);
  });

  it('refuses an alias that refers to its own ancestor', () => {
    const { error } = refusal(() => parseDestinations('domain: acme.audit\ndestinations: &loop\n  - *loop\n', 'loop.yaml'));
    expect(error.message).toContain('loop.yaml: (file): maps and lists are nested more than 16 levels deep once its aliases are resolved, or an alias refers to its own ancestor');
  });

  it('still reads a file that uses a few aliases', () => {
    const spec = parseDestinations('domain: acme.audit\ndestinations:\n  - &base { name: a, type: debug }\n  - { name: b, type: debug }\n');
    expect(spec.destinations.map((d) => d.name)).toEqual(['a', 'b']);
  });
});

describe('nesting', () => {
  const nested = (depth: number) => `domain: acme.audit\ndestinations: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;

  it.each([
    ['400,000 nested flow lists', nested(400_000), 'deep.yaml:2:31'],
    ['300,000 compact block lists', `domain: acme.audit\ndestinations:\n  ${'- '.repeat(300_000)}x\n`, 'deep.yaml:3:35'],
    ['a block map indented one more space per level', `domain: acme.audit\ndestinations:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`, 'deep.yaml:19:18'],
    ['flow maps', `domain: acme.audit\ndestinations: ${'{a: '.repeat(200_000)}1${'}'.repeat(200_000)}\n`, 'deep.yaml:2:'],
  ])('refuses %s at once, without a stack overflow', (_, text, where) => {
    const { error, ms } = refusal(() => parseDestinations(text, 'deep.yaml'));
    expect(ms).toBeLessThan(2000);
    expect(error.message).toContain(where);
    expect(error.message).toContain(`maps and lists are nested more than ${MAX_DEPTH} levels deep here`);
  });

  it('draws the line at MAX_DEPTH levels exactly', () => {
    // The root map is one level, `destinations` the next.
    expect(refusal(() => parseDestinations(nested(MAX_DEPTH - 1), 'ok.yaml')).error.message).not.toContain('nested more than');
    expect(refusal(() => parseDestinations(nested(MAX_DEPTH), 'deep.yaml')).error.message).toContain('nested more than');
  });
});

describe('many keys, duplicates and problems', () => {
  it('checks a map of 40,000 keys in linear time and lists the first problems', () => {
    const text = `domain: acme.audit\ndestinations:\n  - name: x\n    type: debug\n${Array.from({ length: 40_000 }, (_, i) => `    k${i}: 1`).join('\n')}\n`;
    const { error, ms } = refusal(() => parseDestinations(text, 'keys.yaml'));
    expect(ms).toBeLessThan(10_000);
    expect(error.issues).toHaveLength(MAX_ISSUES + 1);
    expect(error.issues[0]!.message).toBe('unknown key "k0" for type debug');
    expect(error.issues[MAX_ISSUES]!.message).toBe(`and ${40_000 - MAX_ISSUES} more problems (only the first ${MAX_ISSUES} are listed)`);
  });

  it.each([
    ['a map of 60,000 keys', `domain: acme.audit\ndestinations:\n  - name: x\n    type: debug\n${Array.from({ length: 60_000 }, (_, i) => `    k${i}: 1`).join('\n')}\n`],
    // Under the alias limit, but every check would walk the list 99 times (it took 21 s).
    ['99 aliases to a list of 60,000 items', `domain: acme.audit\nx: &a [${Array.from({ length: 60_000 }, (_, i) => `o${i}`).join(',')}]\ndestinations:\n${Array.from({ length: 99 }, (_, i) => `  - { name: d${i}, type: file, path: /tmp/x, organizations: *a }`).join('\n')}\n`],
  ])('refuses %s: more than MAX_VALUES values', (_, text) => {
    const { error, ms } = refusal(() => parseDestinations(text, 'big.yaml'));
    expect(ms).toBeLessThan(10_000);
    expect(error.issues).toEqual([{ file: 'big.yaml', path: '', message: `it holds more than ${MAX_VALUES} values (counting each use of an alias); a destinations file holds a few hundred` }]);
  });

  it('reports duplicate keys (yaml\'s own check is quadratic) with their position', () => {
    const { error, ms } = refusal(() => parseDestinations(`domain: acme.audit\n${Array.from({ length: 50_000 }, (_, i) => `k: ${i}`).join('\n')}\n${destinations}`, 'dups.yaml'));
    expect(ms).toBeLessThan(15_000);
    expect(error.message).toContain('dups.yaml:3:1: k: duplicate key "k"');
    expect(() => parseDestinations(`domain: acme.audit\ndomain: other.audit\n${destinations}`, 'd.yaml')).toThrow('d.yaml:2:1: domain: duplicate key "domain"');
  });

  it('refuses a file of more than one YAML document', () => {
    expect(() => parseDestinations(`domain: acme.audit\n${destinations}---\ndomain: evil.audit\n`, 'two.yaml')).toThrow('two.yaml:5:1: (file): invalid YAML: the file holds more than one YAML document');
  });
});
