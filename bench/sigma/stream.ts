// The end-to-end loop of bench:sigma: a JSON-lines file read a chunk at a time
// (src/sigma/chunks.ts, as `sigma match` streams it), each line read as
// `sigma match` reads it (the engine's field scanner for flat attribute
// records, else the full JSON.parse path) and matched.
import { forEachLine } from '../../src/sigma/chunks.js';
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
  forEachLine(file, (text, start, end, line) => {
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
  });
  return Promise.resolve({ events, matches });
}
