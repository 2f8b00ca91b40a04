// Smoke test of the rsigma peer: builds (or reuses) the harness, writes ~20k
// generated events as JSON lines, runs rsigma in both modes and our engine on
// the same events, and checks that the match sets agree exactly.
// `npx tsx bench/sigma/rsigma-smoke.ts` (SMOKE_EVENTS=n to change the count).
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRulesPath, SigmaEngine } from '../../src/sigma/index.js';
import { AttributeView } from '../../src/sigma/events.js';
import { generateAttributeEvents } from '../../test/sigma/generate.js';
import { buildRsigma, readRsigmaPairs, runRsigma, type RsigmaResult } from './rsigma.js';

const COUNT = Number(process.env.SMOKE_EVENTS ?? 20_000);
const rules = [defaultRulesPath()];
const engine = SigmaEngine.fromPaths(rules, { emitAll: true }); // detection rules only, named rules of mr_ files included

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');

/** Ours, evaluation only: views built beforehand, one untimed warm-up pass (JIT). */
function oursEval(events: Record<string, unknown>[]): { cpu: number; wall: number; pairs: string[] } {
  const views = events.map((a) => new AttributeView(a, undefined));
  for (const view of views) engine.matchingRules(view);
  const pairs: string[] = [];
  const cpuStarted = cpuSeconds();
  const started = performance.now();
  for (const view of views) for (const rule of engine.matchingRules(view)) pairs.push(`${view.id}\t${rule.rule.id ?? rule.rule.title}`);
  const wall = (performance.now() - started) / 1000;
  return { cpu: cpuSeconds() - cpuStarted, wall, pairs: pairs.sort() };
}

/**
 * Ours, end to end: read the file in 64 KiB chunks, split lines, JSON.parse, evaluate
 * (streaming; the JIT is already warm from oursEval). Not `sigma match`, which reads
 * canonical events or OTLP records, not flat attribute lines, and holds the whole file.
 */
async function oursE2e(file: string): Promise<{ cpu: number; wall: number; matches: number }> {
  const cpuStarted = cpuSeconds();
  const started = performance.now();
  let matches = 0;
  let partial = '';
  const handle = (line: string) => {
    if (line.length > 0) matches += engine.matchingRules(new AttributeView(JSON.parse(line) as Record<string, unknown>, undefined)).length;
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = partial + (chunk as string);
    let from = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) {
      handle(text.slice(from, end));
      from = end + 1;
    }
    partial = text.slice(from);
  }
  handle(partial);
  return { cpu: cpuSeconds() - cpuStarted, wall: (performance.now() - started) / 1000, matches };
}

function compare(label: string, ours: string[], theirs: string[]): boolean {
  const a = new Set(ours);
  const b = new Set(theirs);
  const onlyOurs = ours.filter((p) => !b.has(p));
  const onlyTheirs = theirs.filter((p) => !a.has(p));
  const same = onlyOurs.length === 0 && onlyTheirs.length === 0 && ours.length === theirs.length;
  console.log(`${label}: ${same ? 'AGREE' : 'DISAGREE'} (${ours.length} pairs ours, ${theirs.length} rsigma)`);
  for (const p of onlyOurs.slice(0, 10)) console.log(`  only ours:   ${p.replace('\t', ' ')}`);
  for (const p of onlyTheirs.slice(0, 10)) console.log(`  only rsigma: ${p.replace('\t', ' ')}`);
  return same;
}

const binary = await buildRsigma();
if (!binary) {
  console.log('rsigma smoke: skipped (see above)');
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'rsigma-smoke-'));
let ok = true;
try {
  for (const [mix, routineShare] of [['rule-dense', 0], ['typical (90 % routine)', 0.9]] as const) {
    const events = generateAttributeEvents(COUNT, 7, routineShare).map((e) => e.attributes);
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');

    const results: Record<'eval' | 'e2e', RsigmaResult> = {} as never;
    console.log(`\n== ${mix}, ${COUNT.toLocaleString('en-US')} events, ${engine.rules.length} detection rules ==`);
    const ours = oursEval(events);
    for (const mode of ['eval', 'e2e'] as const) {
      const pairsFile = join(dir, `pairs-${mode}.tsv`);
      results[mode] = await runRsigma(binary, rules, file, mode, pairsFile);
      if (results[mode].rules !== engine.rules.length) console.log(`  rule count differs: rsigma ${results[mode].rules}, ours ${engine.rules.length}`);
      ok = compare(`rsigma ${mode} vs ours`, ours.pairs, readRsigmaPairs(pairsFile)) && ok;
    }
    const memory = await runRsigma(binary, rules, file, 'e2e'); // no pairs: the streaming memory figure
    const e2e = await oursE2e(file);
    ok = e2e.matches === ours.pairs.length && ok;

    console.log('| what | events/s (wall) | events per CPU-second | peak RSS MiB |');
    console.log('|---|---|---|---|');
    const row = (what: string, wall: number, cpu: number, rssKib?: number) =>
      console.log(`| ${what} | ${rate(COUNT, wall)} | ${rate(COUNT, cpu)} | ${rssKib === undefined ? '' : (rssKib / 1024).toFixed(1)} |`);
    row('rsigma eval', results.eval.wall_seconds, results.eval.cpu_seconds, results.eval.peak_rss_kib);
    row('rsigma e2e (pairs kept)', results.e2e.wall_seconds, results.e2e.cpu_seconds, results.e2e.peak_rss_kib);
    row('rsigma e2e (counts only)', memory.wall_seconds, memory.cpu_seconds, memory.peak_rss_kib);
    row('ours eval (matchingRules, warm)', ours.wall, ours.cpu);
    row('ours e2e (stream + JSON.parse + matchingRules)', e2e.wall, e2e.cpu);
    console.log(`ours / rsigma per CPU-second: eval ${(results.eval.cpu_seconds / ours.cpu).toFixed(2)}, e2e ${(memory.cpu_seconds / e2e.cpu).toFixed(2)}`);
  }
  console.log(`\nours: peak RSS of this whole Node process (generation included) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; load average ${loadavg().map((l) => l.toFixed(1)).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(ok ? 'rsigma smoke: match sets agree' : 'rsigma smoke: DISAGREEMENT');
process.exit(ok ? 0 : 1);
