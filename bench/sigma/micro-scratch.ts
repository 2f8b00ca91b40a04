import { readFileSync } from 'node:fs';
import { defaultRulesPath, SigmaEngine } from '/work/main/src/sigma/index.js';
import { scanObject, ScanFields } from '/work/main/src/sigma/scan.js';
const text = readFileSync('/tmp/sg/events.jsonl', 'utf8');
const engine = SigmaEngine.fromPaths([defaultRulesPath()], { emitAll: true });
const reader = engine.jsonLineReader()!;
const fields = new ScanFields(engine.fields.map((f) => f.name), "Body.");
let out = new Int32Array(2 * fields.count);
const t = (label: string, f: () => void) => { const c = process.cpuUsage(); f(); const u = process.cpuUsage(c); console.log(label, Math.round(200000 / ((u.user + u.system) / 1e6))); };
for (let k = 0; k < 3; k++) {
  t('split', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { from = end + 1; } });
  t('scanObject', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { out = new Int32Array(2 * fields.count); scanObject(text, from, end, fields, out); from = end + 1; } });
  t('reader', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { reader(text, from, end); from = end + 1; } });
  t('JSON.parse', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { JSON.parse(text.slice(from, end)); from = end + 1; } });
}
const none = new ScanFields([]);
for (let k = 0; k < 3; k++) {
  t('scan no fields', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { scanObject(text, from, end, none, out); from = end + 1; } });
  t('scanObject', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { out = new Int32Array(2 * fields.count); scanObject(text, from, end, fields, out); from = end + 1; } });
  t('JSON.parse', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { JSON.parse(text.slice(from, end)); from = end + 1; } });
}
for (let k = 0; k < 3; k++) {
  t('alloc only', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { out = new Int32Array(2 * fields.count); from = end + 1; } });
  t('scan fields, one array', () => { let from = 0; for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', from)) { scanObject(text, from, end, fields, out); from = end + 1; } });
}
