import { Session } from 'node:inspector/promises';
import { catalog } from '../../test/emit/fixtures/catalog.js';
import { mapEvent } from '../../src/emit/to-log-record.js';
function events(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const common = { source: 'api', outcome: 'success', actor: { id: `u-${i % 97}`, type: 'user', email: `u${i % 97}@example.com`, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' }, organization: `org-${i % 13}`, transactionId: `tx-${i}` };
    return i % 2 === 0
      ? { name: 'repo.fork', event: { ...common, target: { type: 'repository', id: `r-${i}`, name: `acme/r${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'ssh-ed25519 AAAA' } } }
      : { name: 'auth.login', event: { ...common, outcome: i % 10 === 1 ? 'failure' : 'success', data: { method: 'password', password: 'hunter2' } } };
  });
}
const inputs = events(1000);
let sink = 0;
const run = (n: number) => { for (let c = 0; c < n; c++) for (let i = 0; i < 1000; i++) { const x = inputs[i]!; sink += mapEvent(x.name, x.event as never, catalog).severityNumber; } };
run(50);
const s = new Session(); s.connect();
await s.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
const N = 20;
run(N);
const { profile } = await s.post('HeapProfiler.stopSampling') as any;
const by = new Map<string, number>();
let total = 0;
const walk = (n: any, stack: string) => { const k = `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}`; const self = n.selfSize; if (self) { by.set(k, (by.get(k) ?? 0) + self); total += self; } for (const c of n.children) walk(c, k); };
walk(profile.head, '');
console.log('bytes/event ~', (total / (N * 1000)).toFixed(0));
[...by].sort((a, b) => b[1] - a[1]).slice(0, 20).forEach(([k, v]) => console.log((v / (N * 1000)).toFixed(0).padStart(6), k));
console.log(sink > 0);
