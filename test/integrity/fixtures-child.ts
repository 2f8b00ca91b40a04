// An emitting service with a durable spool and integrity on, for the crash test:
//   node --import tsx fixtures-child.ts <spool> <endpoint> <count> <keyFile> <hold>
// emits <count> events; with hold=1 it then prints EMITTED and waits to be
// killed (SIGKILL), else it shuts down cleanly (final digest) and prints DONE.
import { readFileSync } from 'node:fs';
import { createAuditLogger, defineCatalog } from '../../src/index.js';

const [directory, endpoint, countText, keyFile, hold] = process.argv.slice(2);
const catalog = defineCatalog({ domain: 'acme.audit', events: { 'user.login': { description: 'A user logged in.' } } });
const audit = createAuditLogger({
  catalog,
  endpoint,
  protocol: 'http/json',
  durable: { directory: directory!, fsync: 'always' },
  integrity: { key: readFileSync(keyFile!, 'utf8'), digestEvery: 10 },
  warnOnExportError: false,
});
for (let i = 0; i < Number(countText); i++) await audit.emitDurable('user.login', { actor: { id: `u-${i}` } });
if (hold === '1') {
  await audit.durable!.whenDurable();
  process.stdout.write('EMITTED\n');
  setInterval(() => undefined, 60_000);
} else {
  await audit.shutdown();
  process.stdout.write('DONE\n');
}
