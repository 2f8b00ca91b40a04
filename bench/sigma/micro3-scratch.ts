import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/sg/events.jsonl', 'utf8');
const N = 2_000_000;
const names = ['event.name', 'audit.data.role', 'user.id'];
const t = (label: string, f: () => number) => { const c = process.cpuUsage(); const r = f(); const u = process.cpuUsage(c); console.log(label, (((u.user + u.system) * 1000) / N).toFixed(1), 'ns/op', r); };
const L = text.length - 100;
for (let k = 0; k < 2; k++) {
  t('startsWith small pos', () => { let s = 0; for (let i = 0; i < N; i++) s += text.startsWith(names[i % 3]!, (i * 7) % 100000) ? 1 : 0; return s; });
  t('startsWith big pos', () => { let s = 0; for (let i = 0; i < N; i++) s += text.startsWith(names[i % 3]!, (i * 7919) % L) ? 1 : 0; return s; });
  t('charcode loop big pos', () => { let s = 0; for (let i = 0; i < N; i++) { const n = names[i % 3]!; const p = (i * 7919) % L; let ok = 1; for (let j = 0; j < n.length; j++) if (text.charCodeAt(p + j) !== n.charCodeAt(j)) { ok = 0; break; } s += ok; } return s; });
  t('indexOf big pos', () => { let s = 0; for (let i = 0; i < N; i++) s += text.indexOf('"', (i * 7919) % L); return s; });
}
