// The peers of bench:sigma: rsigma (Rust, crates.io) built from bench/sigma/peers/rsigma
// (bench/sigma/rsigma.ts), run on the same generated events as this engine.
import { appendFileSync, createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRulesPath, SigmaEngine } from '../../src/sigma/index.js';
import { AttributeView } from '../../src/sigma/events.js';
import { generateAttributeEvents } from '../../test/sigma/generate.js';
import { buildRsigma, readRsigmaPairs, runRsigma, type RsigmaResult } from './rsigma.js';
import { streamJsonLines } from './stream.js';
import { run } from '../../src/tools/run.js';
import { packageRoot } from '../../src/package-root.js';

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
 * Ours, end to end, as `sigma match` reads each line (bench/sigma/stream.ts: the
 * field scanner for flat attribute records), streaming; the JIT is already warm.
 */
async function oursE2e(file: string): Promise<{ cpu: number; wall: number; matches: number }> {
  const cpuStarted = cpuSeconds();
  const started = performance.now();
  const { matches } = await streamJsonLines(engine, file);
  return { cpu: cpuSeconds() - cpuStarted, wall: (performance.now() - started) / 1000, matches };
}

/** The (event, rule) pairs of oursE2e's path, untimed, for the match-set comparison. */
async function oursE2ePairs(file: string): Promise<string[]> {
  const pairs: string[] = [];
  await streamJsonLines(engine, file, true, (view, rule) => pairs.push(`${view.id}\t${rule}`));
  return pairs.sort();
}

/**
 * The reference: every line through JSON.parse into an AttributeView (the path
 * before the field scanner), streaming as oursE2e.
 */
async function oursE2eJsonParse(file: string): Promise<{ cpu: number; wall: number; matches: number }> {
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

function compare(label: string, ours: string[], theirs: string[]): { same: boolean; text: string } {
  const a = new Set(ours);
  const b = new Set(theirs);
  const onlyOurs = ours.filter((p) => !b.has(p));
  const onlyTheirs = theirs.filter((p) => !a.has(p));
  const same = onlyOurs.length === 0 && onlyTheirs.length === 0 && ours.length === theirs.length;
  for (const p of onlyOurs.slice(0, 10)) console.log(`  only ours:   ${p.replace('\t', ' ')}`);
  for (const p of onlyTheirs.slice(0, 10)) console.log(`  only rsigma: ${p.replace('\t', ' ')}`);
  return { same, text: `${label}: ${same ? 'the same' : 'DIFFERENT'} (event, rule) pairs (${ours.length} ours, ${theirs.length} rsigma)` };
}

/**
 * rsigma (Rust) and this engine side by side on the same events and detection
 * rules: evaluation only and end to end from a JSON-lines file, per CPU-second,
 * with peak memory and a match-set comparison (any disagreement fails the bench).
 * A missing Rust toolchain returns the reason instead (benchmarks are not tests).
 */
export async function rsigmaComparison(count: number, memoryEvents: number): Promise<{ markdown: string; agree: boolean; ratios: Ratio[] }> {
  const binary = await buildRsigma();
  if (!binary) return { markdown: 'rsigma: skipped, no Rust toolchain or the build failed (its reason is printed above).', agree: true, ratios: [] };
  const dir = mkdtempSync(join(tmpdir(), 'rsigma-peers-'));
  const lines: string[] = [];
  const ratios: Ratio[] = [];
  let agree = true;
  try {
    for (const [mix, routineShare] of [['rule-dense', 0], ['typical (90 % routine)', 0.9]] as const) {
      const events = generateAttributeEvents(count, 7, routineShare).map((e) => e.attributes);
      const file = join(dir, 'events.jsonl');
      writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const ours = oursEval(events);
      const results: Partial<Record<'eval' | 'e2e', RsigmaResult>> = {};
      const verdicts: string[] = [];
      for (const mode of ['eval', 'e2e'] as const) {
        const pairsFile = join(dir, `pairs-${mode}.tsv`);
        results[mode] = await runRsigma(binary, rules, file, mode, pairsFile);
        const { same, text } = compare(`rsigma ${mode} vs ours`, ours.pairs, readRsigmaPairs(pairsFile));
        agree = same && agree;
        verdicts.push(text);
      }
      const memory = await runRsigma(binary, rules, file, 'e2e'); // no pairs kept: the streaming memory figure
      const reference = await oursE2eJsonParse(file);
      const e2e = await oursE2e(file);
      const scanned = compare('ours e2e (field scanner) vs rsigma', await oursE2ePairs(file), readRsigmaPairs(join(dir, 'pairs-e2e.tsv')));
      verdicts.push(scanned.text);
      agree = scanned.same && e2e.matches === ours.pairs.length && reference.matches === ours.pairs.length && agree;
      const row = (what: string, wall: number, cpu: number, rssKib?: number) => `| ${what} | ${rate(count, wall)} | ${rate(count, cpu)} | ${rssKib === undefined ? '' : (rssKib / 1024).toFixed(1)} |`;
      lines.push(
        '',
        `**${mix}**, ${count.toLocaleString('en-US')} events, ${engine.rules.length} detection rules: ${verdicts.join('; ')}`,
        '',
        '| what | events/s (wall) | events per CPU-second | peak RSS MiB |',
        '|---|---|---|---|',
        row('rsigma-eval 0.23, evaluation', results.eval!.wall_seconds, results.eval!.cpu_seconds, results.eval!.peak_rss_kib),
        row('rsigma-eval 0.23, end to end (stream + decode + evaluate)', memory.wall_seconds, memory.cpu_seconds, memory.peak_rss_kib),
        row('otel-audit, evaluation (matchingRules)', ours.wall, ours.cpu),
        row('otel-audit, end to end as `sigma match` reads lines (stream + field scanner + matchingRules)', e2e.wall, e2e.cpu),
        row('otel-audit, end to end, reference (stream + JSON.parse of every line + matchingRules)', reference.wall, reference.cpu),
        '',
        `- otel-audit / rsigma per CPU-second: evaluation **${(results.eval!.cpu_seconds / ours.cpu).toFixed(2)}×** (target ≥ 1.5×), end to end **${(memory.cpu_seconds / e2e.cpu).toFixed(2)}×** (target ≥ 1.0×; with JSON.parse of every line ${(memory.cpu_seconds / reference.cpu).toFixed(2)}×)`,
      );
      const short = mix === 'rule-dense' ? 'rule-dense' : 'typical';
      ratios.push(
        { name: `evaluation, ${short} (target ≥ 1.5)`, value: results.eval!.cpu_seconds / ours.cpu },
        { name: `end to end, ${short} (target ≥ 1.0)`, value: memory.cpu_seconds / e2e.cpu },
        { name: `end to end with JSON.parse, ${short} (reference)`, value: memory.cpu_seconds / reference.cpu },
      );
    }
    if (memoryEvents > 0) {
      const memory = await streamedMemory(binary, dir, memoryEvents);
      lines.push('', memory.markdown);
      ratios.push(...memory.ratios);
      agree = memory.agree && agree;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { markdown: lines.join('\n'), agree, ratios };
}

/** One ratio of a run (ours over rsigma, higher is better for ours), for the summary over runs. */
export interface Ratio {
  name: string;
  value: number;
}

/**
 * Peak memory of `count` streamed events (typical mix), each engine in its own
 * process that runs only it: rsigma's harness and bench/sigma/ours-stream.ts,
 * each reporting its VmHWM. The file is written in chunks (never held whole).
 */
async function streamedMemory(binary: string, dir: string, count: number): Promise<{ markdown: string; ratios: Ratio[]; agree: boolean }> {
  const file = join(dir, 'events-memory.jsonl');
  writeFileSync(file, '');
  const chunk = 100_000;
  for (let done = 0; done < count; done += chunk) {
    const events = generateAttributeEvents(Math.min(chunk, count - done), 11 + done, 0.9);
    appendFileSync(file, events.map((e) => JSON.stringify({ ...e.attributes, 'log.record.uid': `m${done}-${e.id}` })).join('\n') + '\n');
  }
  const theirs = await runRsigma(binary, rules, file, 'e2e');
  const script = join(packageRoot(), 'bench', 'sigma', 'ours-stream.ts');
  const result = await run(process.execPath, ['--import', 'tsx', script, file, ...rules]);
  if (result.code !== 0) throw new Error(`ours-stream.ts failed: ${result.stderr.slice(-2000)}`);
  const ours = JSON.parse(result.stdout.trim().split('\n').pop()!) as { events: number; matches: number; wall_seconds: number; cpu_seconds: number; peak_rss_kib: number };
  const agree = ours.events === count && ours.matches === theirs.matches;
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  const markdown = [
    `**Peak memory, ${count.toLocaleString('en-US')} streamed events** (typical mix), each engine alone in its own process (VmHWM: rsigma's harness, and \`bench/sigma/ours-stream.ts\` under tsx, whose rules are compiled and JIT cold inside the process): ${ours.matches} matches ours, ${theirs.matches} rsigma${agree ? '' : ' (DIFFERENT)'}`,
    '',
    '| what | events per CPU-second | peak RSS MiB |',
    '|---|---|---|',
    `| rsigma-eval 0.23, end to end | ${rate(count, theirs.cpu_seconds)} | ${mib(theirs.peak_rss_kib)} |`,
    `| otel-audit, end to end (its own process, cold JIT) | ${rate(count, ours.cpu_seconds)} | ${mib(ours.peak_rss_kib)} |`,
  ].join('\n');
  return {
    markdown,
    agree,
    ratios: [
      { name: `peak memory, ${count.toLocaleString('en-US')} streamed events, ours / rsigma (target ≤ 1.0; lower is better)`, value: ours.peak_rss_kib / theirs.peak_rss_kib },
      { name: 'peak memory MiB, ours', value: ours.peak_rss_kib / 1024 },
      { name: 'peak memory MiB, rsigma', value: theirs.peak_rss_kib / 1024 },
      { name: 'end to end in its own process, cold JIT, typical (no target)', value: theirs.cpu_seconds / ours.cpu_seconds },
    ],
  };
}
