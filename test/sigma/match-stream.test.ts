// `sigma match` streams a JSON-lines file when no rule is a correlation
// (src/sigma/match-files.ts): what it prints must be what reading the same
// events whole prints (here: the same events as a JSON array, which is read
// whole), in the same order, in text and JSON, with each bad line reported
// with its number. With correlations the events are read whole and sorted by
// time, as before.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesPath, SigmaEngine } from '../../src/sigma/index.js';
import { matchFiles } from '../../src/sigma/match-files.js';
import { generateAttributeEvents } from './generate.js';
import { sigmaCli } from './sigma-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sigma-stream-'));
// The pack's detection rules without its correlation files (mr_…).
const detections = join(dir, 'rules');
cpSync(defaultRulesPath(), detections, { recursive: true });
for (const file of readdirSync(detections)) if (file.startsWith('mr_')) rmSync(join(detections, file));

// Enough events for many 64 KiB chunks, out of time order (streaming keeps file order), some with times.
const events = generateAttributeEvents(3000, 5).map((e, i) => ({ ...e.attributes, ...(i % 3 === 0 ? { time: new Date(e.time - (i % 7) * 3_600_000).toISOString() } : {}) }));
const jsonl = join(dir, 'events.jsonl');
const array = join(dir, 'events.json');
writeFileSync(jsonl, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
writeFileSync(array, JSON.stringify(events, null, 1));

describe('sigma match streams JSON lines when no rule is a correlation', () => {
  it('has no correlations in the detection rules, and some in the pack', () => {
    expect(SigmaEngine.fromPaths([detections]).correlations).toHaveLength(0);
    expect(SigmaEngine.fromPaths([defaultRulesPath()]).correlations.length).toBeGreaterThan(0);
  });

  for (const format of ['text', 'json']) {
    it(`prints the same matches in the same order as reading the events whole (${format})`, async () => {
      const streamed = await sigmaCli('match', '-r', detections, '-i', jsonl, '--format', format);
      const whole = await sigmaCli('match', '-r', detections, '-i', array, '--format', format);
      expect(streamed.code).toBe(0);
      expect(streamed.out).toBe(whole.out);
      expect(streamed.err).toBe(whole.err);
      const count = format === 'json' ? (JSON.parse(streamed.out) as unknown[]).length : streamed.out.split('\n').length;
      expect(count).toBeGreaterThan(100);
      // In file order: the events' ids appear as the file lists them.
      if (format === 'json') {
        const ids = (JSON.parse(streamed.out) as { events: string[] }[]).map((m) => Number(m.events[0]!.slice(1)));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(streamed.out).toBe(JSON.stringify(JSON.parse(streamed.out), null, 2)); // JSON.stringify's layout, item by item
      }
    });
  }

  it('prints [] in JSON when nothing matches', async () => {
    const quiet = join(dir, 'quiet.jsonl');
    writeFileSync(quiet, '{"event.name": "nothing.at.all"}\n{"event.name": "nothing.else"}\n');
    const result = await sigmaCli('match', '-r', detections, '-i', quiet, '--format', 'json');
    expect(result.out).toBe('[]');
    expect(result.code).toBe(0);
  });

  it('reports each bad line with its number, across chunks, and matches the rest', async () => {
    const lines = events.map((e) => JSON.stringify(e));
    lines.splice(1000, 0, '{"event.name": "auth.login", oops}');
    lines.splice(2500, 0, '{"event.name": "auth.login", "time": "2024-02-30T00:00:00Z"}', '', '{"a": "\u0001"}');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, lines.join('\n'));
    const streamed = await sigmaCli('match', '-r', detections, '-i', bad, '--format', 'json');
    const whole = await sigmaCli('match', '-r', detections, '-i', array, '--format', 'json');
    expect(streamed.out).toBe(whole.out);
    expect(streamed.code).toBe(1);
    expect(streamed.err.split('\n').slice(0, -1)).toEqual([expect.stringMatching(/bad\.jsonl:1001: not a JSON event/), expect.stringMatching(/bad\.jsonl:2501: .*not a real date/), expect.stringMatching(/bad\.jsonl:2503: not a JSON event/)]);
    expect(streamed.err).toMatch(/3000 events, \d+ matches, 3 bad lines or events left out/);
  });

  it('names a line that is not valid UTF-8 and matches the rest, streamed and read whole', async () => {
    const lines = events.map((e) => Buffer.from(JSON.stringify(e)));
    // A corrupted byte inside a value: read with U+FFFD in its place, the value would silently stop matching.
    const corrupt = Buffer.from(JSON.stringify(events[0]));
    corrupt[corrupt.indexOf('"', 20) + 1] = 0xff;
    lines.splice(1500, 0, corrupt);
    const bad = join(dir, 'not-utf8.jsonl');
    writeFileSync(bad, Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')])));
    const whole = await sigmaCli('match', '-r', detections, '-i', array, '--format', 'json');
    const streamed = await sigmaCli('match', '-r', detections, '-i', bad, '--format', 'json');
    expect(streamed.out).toBe(whole.out);
    expect(streamed.code).toBe(1);
    expect(streamed.err).toMatch(/not-utf8\.jsonl:1501: not valid UTF-8/);
    // With correlation rules the file is read whole: it is refused at the same line.
    const all = await sigmaCli('match', '-i', bad, '--format', 'json', '--all');
    expect(all.code).toBe(1);
    expect(all.err).toMatch(/not-utf8\.jsonl:1501: not valid UTF-8/);
  });

  it('hands each match on as its line is read, not after the whole file', () => {
    const engine = SigmaEngine.fromPaths([detections]);
    const errorsSeen: number[] = [];
    let errors = 0;
    // A bad second line: reading whole would hand on every match before any error.
    const file = join(dir, 'second-bad.jsonl');
    const lines = events.slice(0, 500).map((e) => JSON.stringify(e));
    lines.splice(1, 0, '{"event.name": oops}');
    writeFileSync(file, lines.join('\n'));
    const matched = matchFiles(engine, [file], { onMatch: () => errorsSeen.push(errors), onError: () => errors++ });
    expect(matched).toBe(500);
    expect(errors).toBe(1);
    expect(errorsSeen.filter((e) => e === 1).length).toBeGreaterThan(10);
  });

  it('with correlations reads whole and sorts by time: the same output from the lines and from the array', async () => {
    const streamed = await sigmaCli('match', '-i', jsonl, '--format', 'json', '--all');
    const whole = await sigmaCli('match', '-i', array, '--format', 'json', '--all');
    expect(streamed.out).toBe(whole.out);
    expect((JSON.parse(streamed.out) as { kind: string }[]).some((m) => m.kind === 'correlation')).toBe(true);
  });
});
