// Scratch: profile the e2e path (not committed).
import { writeFileSync, createReadStream } from 'node:fs';
import { defaultRulesPath, SigmaEngine } from '../../src/sigma/index.js';
import { AttributeView } from '../../src/sigma/events.js';
import { generateAttributeEvents } from '../../test/sigma/generate.js';
import { streamJsonLines } from './stream.js';
const file = '/tmp/sg/events.jsonl';
const share = Number(process.env.SHARE ?? 0);
const evs = generateAttributeEvents(200_000, 7, share).map((e) => e.attributes);
writeFileSync(file, evs.map((e) => JSON.stringify(e)).join('\n') + '\n');
const engine = SigmaEngine.fromPaths([defaultRulesPath()], { emitAll: true });
const views = evs.map((a) => new AttributeView(a, undefined));
const cpu = async (label: string, f: () => unknown) => {
  const c = process.cpuUsage();
  await f();
  const u = process.cpuUsage(c);
  return [label, Math.round(200_000 / ((u.user + u.system) / 1e6))] as const;
};
async function readOnly() {
  let partial = '';
  let n = 0;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = partial + (chunk as string);
    let from = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { n++; from = end + 1; }
    partial = text.slice(from);
  }
  return n;
}
const reader = engine.jsonLineReader()!;
async function scanOnly() {
  let partial = '';
  let n = 0;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    const text = partial + (chunk as string);
    let from = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { if (reader(text, from, end)) n++; from = end + 1; }
    partial = text.slice(from);
  }
  return n;
}
for (let i = 0; i < 4; i++) {
  const out = [];
  out.push(await cpu('read', readOnly));
  out.push(await cpu('scan', scanOnly));
  out.push(await cpu('eval', () => { for (const v of views) engine.matchingRules(v); }));
  out.push(await cpu('e2e', () => streamJsonLines(engine, file)));
  out.push(await cpu('e2e-parse', () => streamJsonLines(engine, file, false)));
  console.log(out.map(([l, v]) => `${l} ${v}`).join('  '));
}
