// Our engine alone, end to end over a JSON-lines file of flat attribute records,
// in its own process so that its peak memory (VmHWM) is ours only, as the rsigma
// harness measures its own. Streams the file (64 KiB chunks) through the same
// per-line reader as `sigma match` (SigmaEngine.jsonLineReader, else the full
// JSON.parse path), holding one chunk at a time. Usage:
//   tsx bench/sigma/ours-stream.ts EVENTS.jsonl RULE_PATH...
// Prints one JSON line: events, matches, wall and CPU seconds of the timed part
// (rules are compiled before it), peak RSS (KiB, VmHWM).
import { readFileSync } from 'node:fs';
import { SigmaEngine } from '../../src/sigma/index.js';
import { streamJsonLines } from './stream.js';

const [file, ...rules] = process.argv.slice(2);
if (!file || rules.length === 0) throw new Error('usage: ours-stream.ts EVENTS.jsonl RULE_PATH...');
const engine = SigmaEngine.fromPaths(rules, { emitAll: true });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const cpuStarted = cpu();
const started = performance.now();
const { events, matches } = await streamJsonLines(engine, file);
const wall = (performance.now() - started) / 1000;
const cpuSeconds = cpu() - cpuStarted;
const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
console.log(JSON.stringify({ events, matches, wall_seconds: wall, cpu_seconds: cpuSeconds, peak_rss_kib: hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS }));
