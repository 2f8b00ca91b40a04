import { catalog } from '../../test/emit/fixtures/catalog.js';
import { mapEvent } from '../../src/emit/to-log-record.js';
import { scanFields, fieldLimits } from '../../src/emit/limits.js';
import { checkEvent } from '../../src/event/validate.js';
import { hasSecretTrigger } from '../../src/emit/redact.js';
import { uuidv7 } from '../../src/event/uuid.js';
function events(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const common = { source: 'api', outcome: 'success', actor: { id: `u-${i % 97}`, type: 'user', email: `u${i % 97}@example.com`, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' }, organization: `org-${i % 13}`, transactionId: `tx-${i}` };
    return i % 2 === 0
      ? { name: 'repo.fork', event: { ...common, target: { type: 'repository', id: `r-${i}`, name: `acme/r${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'ssh-ed25519 AAAA' } } }
      : { name: 'auth.login', event: { ...common, outcome: i % 10 === 1 ? 'failure' : 'success', data: { method: 'password', password: 'hunter2' } } };
  });
}
const inputs = events(1000);
const limits = fieldLimits(undefined, undefined);
let sink = 0;
const parts: Record<string, (i: number) => void> = {
  map: (i) => { const x = inputs[i]!; sink += mapEvent(x.name, x.event as never, catalog).severityNumber; },
  scan: (i) => { const x = inputs[i]!; sink += scanFields(x.event, x.name, limits); },
  check: (i) => { const x = inputs[i]!; sink += checkEvent(x.event as never, catalog, x.name, 1.7e12).severity.length; },
  trigger8: (i) => { const e = inputs[i]!.event as any; sink += +hasSecretTrigger(e.source) + +hasSecretTrigger(e.actor.id) + +hasSecretTrigger(e.actor.type) + +hasSecretTrigger(e.actor.email) + +hasSecretTrigger(e.actor.ip) + +hasSecretTrigger(e.actor.userAgent) + +hasSecretTrigger(e.organization) + +hasSecretTrigger(e.transactionId); },
  uuid: () => { sink += uuidv7(1.7e12).length; },
};
const which = process.argv.slice(2);
for (let round = 0; round < 3; round++) {
  for (const name of which.length ? which : Object.keys(parts)) {
    const f = parts[name]!;
    const t0 = process.cpuUsage();
    for (let c = 0; c < 300; c++) for (let i = 0; i < 1000; i++) f(i);
    const u = process.cpuUsage(t0);
    if (round > 0) console.log(name.padEnd(10), ((u.user + u.system) / 300).toFixed(0), 'ns/event');
  }
}
console.log(sink > 0);
