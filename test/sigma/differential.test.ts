// Differential test: the engine's matches equal those of pySigma with its
// DuckDB backend (a local evaluator, test/sigma/pysigma_eval.py) for every
// detection rule of the pack, on the pack's test events and on generated events.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesPath, loadSigmaDocuments, SigmaEngine } from '../../src/sigma/index.js';
import { AttributeView, canonicalToAttributes } from '../../src/sigma/events.js';
import { caseEvents } from '../../src/sigma/testing.js';
import { listYamlFiles } from '../../src/sigma/parse.js';
import { packageRoot } from '../../src/package-root.js';
import { run } from '../../src/tools/run.js';
import { parse } from 'yaml';
import { sigmaBinary } from '../harness/sigma.js';
import { generateAttributeEvents } from './generate.js';

type Flat = Record<string, unknown>;

/**
 * What both sides see: flat attributes with arrays joined into text and
 * strings lower-cased, because the DuckDB backend's plain `=` is case-sensitive
 * (Sigma's is not) and it cannot ILIKE a list column (docs/sigma.md).
 */
function normalise(attributes: Flat): Flat {
  const out: Flat = {};
  for (const [key, value] of Object.entries(attributes)) {
    const joined = Array.isArray(value) ? value.join(',') : value;
    out[key] = typeof joined === 'string' ? joined.toLowerCase() : joined;
  }
  return out;
}

async function pySigmaMatches(events: Flat[]): Promise<{ matches: Record<string, string[]>; errors: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sigma-diff-'));
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const python = join(dirname(sigmaBinary()), 'python');
  const result = await run(python, [join(packageRoot(), 'test', 'sigma', 'pysigma_eval.py'), file, defaultRulesPath()]);
  if (result.code !== 0) throw new Error(`pysigma_eval.py failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as { matches: Record<string, string[]>; errors: Record<string, string> };
}

function engineMatches(events: Flat[]): Record<string, string[]> {
  const engine = SigmaEngine.fromPaths([defaultRulesPath()], { emitAll: true });
  const result: Record<string, string[]> = {};
  for (const rule of engine.rules) result[rule.rule.id!] = [];
  for (const attributes of events) {
    const view = new AttributeView(attributes, undefined);
    for (const rule of engine.matchingRules(view)) result[rule.rule.id!]!.push(String(attributes['log.record.uid']));
  }
  for (const ids of Object.values(result)) ids.sort();
  return result;
}

const detectionIds = loadSigmaDocuments([defaultRulesPath()]).filter((d) => d.kind === 'rule').map((d) => d.rule.id!);

async function compare(events: Flat[]) {
  const reference = await pySigmaMatches(events);
  expect(reference.errors).toEqual({});
  const ours = engineMatches(events);
  expect(Object.keys(reference.matches).sort()).toEqual([...detectionIds].sort());
  for (const id of detectionIds) expect(ours[id], `rule ${id}`).toEqual(reference.matches[id]);
  return ours;
}

describe('engine vs pySigma + DuckDB', () => {
  it('agrees on the pack test events', async () => {
    const events: Flat[] = [];
    for (const file of listYamlFiles([join(packageRoot(), 'sigma', 'tests')])) {
      const spec = parse(readFileSync(file, 'utf8')) as { match: unknown[]; nomatch: unknown[] };
      [...spec.match, ...spec.nomatch].forEach((c, n) => {
        for (const event of caseEvents(c, file)) events.push(normalise({ ...canonicalToAttributes(event), 'log.record.uid': `${file.split('/').pop()}#${n}#${event.id}` }));
      });
    }
    const ours = await compare(events);
    expect(Object.values(ours).flat().length).toBeGreaterThan(50);
  });

  it('agrees on 5000 generated events', async () => {
    const events = generateAttributeEvents(5000, 7).map((e) => normalise(e.attributes));
    const ours = await compare(events);
    // The generated events exercise every rule both ways.
    for (const id of detectionIds) {
      expect(ours[id]!.length, `rule ${id} matches some`).toBeGreaterThan(0);
      expect(ours[id]!.length, `rule ${id} misses some`).toBeLessThan(events.length);
    }
  });
});
