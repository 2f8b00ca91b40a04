// An emitting service with a durable spool and integrity on, for the crash tests:
//   node --import tsx fixtures-child.ts <spool> <endpoint> <count> <keyFile> <hold> [segmentBytes]
// emits <count> events; with hold=1 it then prints EMITTED once they are on disk,
// with hold=2 once they are delivered, and waits to be killed (SIGKILL); with
// hold=0 it shuts down cleanly (final digest) and prints DONE.
import { readFileSync } from 'node:fs';
import { createAuditLogger, defineCatalog } from '../../src/index.js';

const [directory, endpoint, countText, keyFile, hold, segmentBytes] = process.argv.slice(2);
const catalog = defineCatalog({ domain: 'acme.audit', events: { 'user.login': { description: 'A user logged in.' } } });
const audit = createAuditLogger({
  catalog,
  endpoint,
  protocol: 'http/json',
  durable: { directory: directory!, fsync: 'always', retry: { initialMillis: 50, maxMillis: 200 }, ...(segmentBytes ? { segmentBytes: Number(segmentBytes) } : {}) },
  integrity: { key: readFileSync(keyFile!, 'utf8'), digestEvery: 10 },
  warnOnExportError: false,
});
for (let i = 0; i < Number(countText); i++) await audit.emitDurable('user.login', { actor: { id: `u-${i}` } });
if (hold === '1' || hold === '2') {
  await audit.durable!.whenDurable();
  if (hold === '2') await audit.flush();
  process.stdout.write(`EMITTED ${audit.integrity!.stream}\n`);
  setInterval(() => undefined, 60_000);
} else {
  await audit.shutdown();
  process.stdout.write(`DONE ${audit.integrity!.stream}\n`);
}
