// The end-to-end loop of bench:sigma: a JSON-lines file streamed in 64 KiB
// chunks, each line read as `sigma match` reads it (the engine's field scanner
// for flat attribute records, else the full JSON.parse path) and matched.
// Streaming (one chunk held at a time) where `sigma match` holds the file.
import { createReadStream } from 'node:fs';
import { readEventViews, type EventView } from '../../src/sigma/events.js';
import type { SigmaEngine } from '../../src/sigma/index.js';

/**
 * Matches every line of `file` with `engine.matchingRules`; `scan: false`
 * takes the full JSON.parse path for every line (the reference).
 */
export async function streamJsonLines(engine: SigmaEngine, file: string, scan = true, onMatch?: (view: EventView, rule: string) => void): Promise<{ events: number; matches: number }> {
  const reader = scan ? engine.jsonLineReader() : undefined;
  let events = 0;
  let matches = 0;
  let partial = '';
  let line = 0;
  const handle = (text: string, start: number, end: number) => {
    line++;
    let view = reader?.(text, start, end);
    if (view === undefined) {
      if (end === start) return;
      view = readEventViews(text.slice(start, end), `${file}:${line}`)[0];
      if (view === undefined) return;
    }
    events++;
    const rules = engine.matchingRules(view);
    matches += rules.length;
    if (onMatch) for (const rule of rules) onMatch(view, rule.rule.id ?? rule.rule.title);
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = chunk as string;
    let end = text.indexOf('\n');
    if (end === -1) {
      partial += text;
      continue;
    }
    // The line across chunks on its own, so the lines of this chunk are read from the (flat) chunk, not a concatenation.
    const first = partial + text.slice(0, end);
    handle(first, 0, first.length);
    let from = end + 1;
    for (end = text.indexOf('\n', from); end !== -1; end = text.indexOf('\n', from)) {
      handle(text, from, end);
      from = end + 1;
    }
    partial = text.slice(from);
  }
  handle(partial, 0, partial.length);
  return { events, matches };
}
