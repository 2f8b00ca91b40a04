import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/sg/events.jsonl', 'utf8');
const N = 5_000_000;
const t = (label: string, f: () => number) => { const c = process.cpuUsage(); const r = f(); const u = process.cpuUsage(c); console.log(label, (((u.user + u.system) * 1000) / N).toFixed(1), 'ns/op', r); };
for (let k = 0; k < 2; k++) {
  t('indexOf"', () => { let s = 0; for (let i = 0; i < N; i++) s += text.indexOf('"', (i * 7) % 100000); return s; });
  t('startsWith', () => { let s = 0; for (let i = 0; i < N; i++) s += text.startsWith('event.name', (i * 7) % 100000) ? 1 : 0; return s; });
  t('charCode x10', () => { let s = 0; for (let i = 0; i < N; i++) { const p = (i * 7) % 100000; for (let j = 0; j < 10; j++) s += text.charCodeAt(p + j); } return s; });
  t('slice+map', () => { const m = new Map([['event.name', 1], ['user.id', 2]]); let s = 0; for (let i = 0; i < N; i++) { const p = (i * 7) % 100000; s += m.get(text.slice(p, p + 10)) ?? 0; } return s; });
}
