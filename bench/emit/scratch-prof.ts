import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { catalog } from '../../test/emit/fixtures/catalog.js';
import { createAuditLogger } from '../../src/emit/logger.js';
import { mapEvent, toLogRecord } from '../../src/emit/to-log-record.js';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AuditLogRecordProcessor } from '../../src/emit/processor.js';
const mode = process.argv[2] ?? 'audit';
function events(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const common = { source: 'api', outcome: 'success', actor: { id: `u-${i % 97}`, type: 'user', email: `u${i % 97}@example.com`, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' }, organization: `org-${i % 13}`, transactionId: `tx-${i}` };
    return i % 2 === 0
      ? { name: 'repo.fork', event: { ...common, target: { type: 'repository', id: `r-${i}`, name: `acme/r${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'ssh-ed25519 AAAA' } } }
      : { name: 'auth.login', event: { ...common, outcome: i % 10 === 1 ? 'failure' : 'success', data: { method: 'password', password: 'hunter2' } } };
  });
}
const inputs = events(1000);
const exp = new InMemoryLogRecordExporter();
const audit = createAuditLogger({ catalog, exporter: exp, batch: { maxQueueSize: 4000, maxExportBatchSize: 512, scheduledDelayMillis: 1000 } });
const rawExp = new InMemoryLogRecordExporter();
const rawProvider = new LoggerProvider({ processors: [new AuditLogRecordProcessor({ catalog }), new BatchLogRecordProcessor({ maxQueueSize: 4000, maxExportBatchSize: 512, scheduledDelayMillis: 1000, exporter: rawExp })] });
const rawLogger = rawProvider.getLogger('raw');
const raw = inputs.map((input) => { const record = toLogRecord({ ...input.event, name: input.name } as never, catalog); return { ...record, attributes: Object.fromEntries(Object.entries(record.attributes).filter(([, v]) => v !== undefined)) }; });
const N = Number(process.env.N ?? 300);
let sink = 0;
const t0 = process.cpuUsage();
for (let c = 0; c < N; c++) {
  for (let i = 0; i < 1000; i++) {
    const input = inputs[i]!;
    if (mode === 'map') sink += (mapEvent(input.name, input.event as never, catalog) as any).attributes ? 1 : 0;
    else if (mode === 'raw') rawLogger.emit(raw[i]! as never); else audit.emit(input.name as never, input.event as never);
  }
  if (mode === 'audit') { await audit.flush(); exp.reset(); } if (mode === 'raw') { await rawProvider.forceFlush(); rawExp.reset(); }
}
const u = process.cpuUsage(t0);
console.log(mode, ((u.user + u.system) / (N * 1000)).toFixed(3), 'us/event', sink);
await audit.shutdown();
