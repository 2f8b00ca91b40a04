// scratch: HEAD's audit.emit against the working tree's, interleaved, by CPU per event.
import { InMemoryLogRecordExporter, LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogRecord } from '@opentelemetry/api';
import { catalog } from '../../test/emit/fixtures/catalog.js';
import { createAuditLogger } from '../../src/emit/logger.js';
import { createAuditLogger as createOld } from './scratch-base/src/emit/logger.js';
import { defineCatalog as defineOld } from './scratch-base/src/event/catalog.js';
import { AuditLogRecordProcessor } from '../../src/emit/processor.js';
import { toLogRecord } from '../../src/emit/to-log-record.js';
const CHUNK = 1000;
function events(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const common = { source: 'api', outcome: 'success', actor: { id: `u-${i % 97}`, type: 'user', email: `u${i % 97}@example.com`, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' }, organization: `org-${i % 13}`, transactionId: `tx-${i}` };
    return i % 2 === 0
      ? { name: 'repo.fork', event: { ...common, target: { type: 'repository', id: `r-${i}`, name: `acme/r${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'ssh-ed25519 AAAA' } } }
      : { name: 'auth.login', event: { ...common, outcome: i % 10 === 1 ? 'failure' : 'success', data: { method: 'password', password: 'hunter2' } } };
  });
}
const inputs = events(CHUNK);
const batch = { maxQueueSize: CHUNK * 4, maxExportBatchSize: 512, scheduledDelayMillis: 1000 };
const oldCatalog = defineOld({ domain: catalog.domain, version: '1', events: Object.fromEntries([...catalog.events].map(([n, e]) => [n, e.definition])) } as never);
const mk = (create: typeof createAuditLogger, cat: unknown) => { const exporter = new InMemoryLogRecordExporter(); const a = create({ catalog: cat as typeof catalog, exporter, batch }); return { emit: (i: number) => { const x = inputs[i]!; a.emit(x.name as never, x.event as never); }, flush: () => a.flush(), exporter }; };
const rawExporter = new InMemoryLogRecordExporter();
const rawProvider = new LoggerProvider({ processors: [new AuditLogRecordProcessor({ catalog }), new BatchLogRecordProcessor({ ...batch, exporter: rawExporter })] });
const rawLogger = rawProvider.getLogger('raw');
const raw: LogRecord[] = inputs.map((input) => { const r = toLogRecord({ ...input.event, name: input.name } as never, catalog); return { ...r, attributes: Object.fromEntries(Object.entries(r.attributes).filter(([, v]) => v !== undefined)) }; });
const modes = [
  { name: 'raw', emit: (i: number) => rawLogger.emit(raw[i]!), flush: () => rawProvider.forceFlush(), exporter: rawExporter },
  { name: 'audit HEAD', ...mk(createOld as never, oldCatalog) },
  { name: 'audit new', ...mk(createAuditLogger, catalog) },
];
const cpu = modes.map(() => 0);
const now = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const chunks = Number(process.env.CHUNKS ?? 300);
for (let c = -20; c < chunks; c++) {
  for (let k = 0; k < modes.length; k++) {
    const m = ((c + 100) + k) % modes.length; const mode = modes[m]!;
    const t = now();
    for (let i = 0; i < CHUNK; i++) mode.emit(i);
    await mode.flush();
    if (c >= 0) cpu[m]! += now() - t;
    if (mode.exporter.getFinishedLogRecords().length !== CHUNK) throw new Error('lost');
    mode.exporter.reset();
  }
}
const per = cpu.map((x) => x / (chunks * CHUNK));
console.log(modes.map((m, i) => `${m.name}: ${per[i]!.toFixed(0)} ns (${(per[i]! / per[0]!).toFixed(3)}x)`).join('  |  '));
