import { readFileSync } from 'node:fs';
import { defaultRulesPath, SigmaEngine } from '../../src/sigma/index.js';
import { ScanFields } from '../../src/sigma/scan.js';
const text = readFileSync('/tmp/sg/events.jsonl', 'utf8');
const engine = SigmaEngine.fromPaths([defaultRulesPath()], { emitAll: true });
const fields = new ScanFields(engine.fields.map((f) => f.name), 'Body.');
// key positions of the first 20000 lines
const keys: number[] = [];
let p = 0;
while (keys.length < 600000) {
  const q = text.indexOf('":', p);
  const s = text.lastIndexOf('"', q - 1);
  keys.push(s + 1, q);
  p = q + 2;
}
console.log(keys.length / 2, 'keys; found', keys.filter((_, i) => i % 2 === 0).filter((s, i) => fields.indexAt(text, s, keys[2 * i + 1]!) >= 0).length);
const t = (label: string, f: () => number) => { const c = process.cpuUsage(); const r = f(); const u = process.cpuUsage(c); console.log(label, (((u.user + u.system) * 1e3) / (keys.length / 2) ).toFixed(1), 'ns/key', r); };
for (let k = 0; k < 5; k++) t('indexAt', () => { let s = 0; for (let i = 0; i < keys.length; i += 2) s += fields.indexAt(text, keys[i]!, keys[i + 1]!); return s; });
const names = engine.fields.map((f) => f.name);
t('sameText only', () => { let s = 0; for (let i = 0; i < keys.length; i += 2) { const n = names[(i >> 1) % names.length]!; let ok = 1; for (let j = n.length - 1; j >= 0; j--) if (text.charCodeAt(keys[i]! + j) !== n.charCodeAt(j)) { ok = 0; break; } s += ok; } return s; });
t('charCodeAt x20', () => { let s = 0; for (let i = 0; i < keys.length; i += 2) { const st = keys[i]!; for (let j = 0; j < 20; j++) s += text.charCodeAt(st + j); } return s; });
const small = JSON.parse(JSON.stringify(text.slice(0, 2_000_000))) as string;
t('charCodeAt x20 small', () => { let s = 0; for (let i = 0; i < keys.length; i += 2) { const st = keys[i]! % 1_900_000; for (let j = 0; j < 20; j++) s += small.charCodeAt(st + j); } return s; });
console.log(process.versions.v8);
