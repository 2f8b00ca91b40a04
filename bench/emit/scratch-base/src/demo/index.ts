// `otel-audit demo`: the three parts end to end on one machine. Renders
// collector/examples/demo.yaml, runs the real collector with a local Splunk HEC
// receiver, emits the scripted day (src/demo/day.yaml) with createAuditLogger,
// reads back both destinations and runs the Sigma pack over what arrived.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDestinations, renderCollectorConfig } from '../collector/index.js';
import { AuditValidationError, createAuditLogger, loadCatalog } from '../index.js';
import { defaultRulesPath, SigmaEngine, viewOfCanonical, viewOfLogRecord, type PartialCanonicalEvent } from '../sigma/index.js';
import { startHecReceiver, type HecReceiver } from '../testing/index.js';
import { keyIdOf, readTrail, verifyTrail, type TrailReport } from '../integrity/index.js';
import { generateKeyPairSync } from 'node:crypto';
import { provisionCollector } from '../tools/collector-build.js';
import { packageRoot } from '../package-root.js';
import { freeLoopbackPort, startDemoCollector, type DemoCollector } from './collector.js';
import { hecEventId, missing, readFileRecords, recordId } from './delivered.js';
import { checkExpected, groupMatches, type DemoReport } from './report.js';
import { defaultDayPath, loadDay, ScenarioError, scriptDay } from './scenario.js';

export { formatReport, type DemoReport, type Detection, type ExpectedDetection } from './report.js';
export { loadDay, scriptDay, defaultDayPath, ScenarioError, type Day, type Scenario, type ScriptedEvent } from './scenario.js';

export interface DemoOptions {
  /** Leave the scratch folder (config, delivered files, collector log) in place. */
  keep?: boolean;
  /** The day to emit; default src/demo/day.yaml. */
  dayFile?: string;
  /** The destinations file; default collector/examples/demo.yaml. */
  destinationsFile?: string;
  /** The catalog the events follow; default sigma/catalog.yaml (the one the Sigma pack is written against). */
  catalogFile?: string;
  /** How long to wait for every event to arrive at both destinations. Default 30 s. */
  deliveryTimeoutMillis?: number;
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

const HEC_TOKEN = 'demo-hec-token';

export function defaultDemoDestinations(): string {
  return join(packageRoot(), 'collector', 'examples', 'demo.yaml');
}

async function waitUntil(done: () => boolean, timeoutMillis: number): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const env = options.env ?? process.env;
  const destinationsFile = options.destinationsFile ?? defaultDemoDestinations();
  const dayFile = options.dayFile ?? defaultDayPath();
  const catalog = loadCatalog(options.catalogFile ?? join(packageRoot(), 'sigma', 'catalog.yaml'));
  const day = loadDay(dayFile);
  const engine = SigmaEngine.fromPaths([defaultRulesPath()], { domain: catalog.domain });
  const known = new Set([...engine.rules.map((r) => r.rule.title), ...engine.correlations.map((c) => c.rule.title)]);
  day.scenarios.forEach((s, i) => s.expect.forEach((title, j) => {
    if (!known.has(title)) throw new ScenarioError(dayFile, `scenarios[${i}].expect[${j}]`, `"${title}" is not the title of a rule in ${defaultRulesPath()}`);
  }));
  const script = scriptDay(day);

  const binary = await provisionCollector({ env, log });
  const scratchDir = mkdtempSync(join(tmpdir(), 'otel-audit-demo-'));
  const outputDir = join(scratchDir, 'delivered');
  mkdirSync(outputDir);
  const paths = {
    scratchDir,
    kept: options.keep ?? false,
    renderedConfig: join(scratchDir, 'collector.yaml'),
    fileOutput: join(outputDir, 'audit.jsonl'),
    hecOutput: join(outputDir, 'hec-events.jsonl'),
    collectorLog: join(scratchDir, 'collector.log'),
    destinations: destinationsFile,
    day: dayFile,
  };
  log(`[demo] scratch folder ${scratchDir}`);

  let hec: HecReceiver | undefined;
  let collector: DemoCollector | undefined;
  try {
    hec = await startHecReceiver({ token: HEC_TOKEN, host: '127.0.0.1' });
    log(`[demo] Splunk HEC receiver on ${hec.url}`);

    // The demo file leaves the ports to the demo: free loopback ones, so it never clashes.
    const spec = loadDestinations(destinationsFile);
    const ports = { grpc: await freeLoopbackPort(), http: await freeLoopbackPort(), health: await freeLoopbackPort() };
    spec.collector.receiver = { ...spec.collector.receiver, grpcPort: ports.grpc, httpPort: ports.http };
    spec.collector.healthCheck = { ...spec.collector.healthCheck, port: ports.health };
    const collectorEnv = { DEMO_HEC_ENDPOINT: hec.url, DEMO_HEC_TOKEN: HEC_TOKEN, DEMO_OUTPUT_DIR: outputDir, DEMO_QUEUE_DIR: join(scratchDir, 'queue') };
    collector = await startDemoCollector(binary, renderCollectorConfig(spec), scratchDir, ports.health, collectorEnv);
    log(`[demo] collector ${binary} listening for OTLP/HTTP on 127.0.0.1:${ports.http}`);

    // Tamper evidence: a key pair for this run; each destination's records are verified with the public key alone.
    const keys = generateKeyPairSync('ed25519');
    const trusted = new Map([[keyIdOf(keys.publicKey), keys.publicKey]]);
    writeFileSync(join(scratchDir, 'integrity.pub.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
    const audit = createAuditLogger({ catalog, endpoint: `http://127.0.0.1:${ports.http}`, serviceName: day.service, batch: { scheduledDelayMillis: 50, maxExportBatchSize: 256 }, integrity: { key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), digestEvery: 100 } });
    const sent: string[] = [];
    const partOf = new Map<string, string>();
    try {
      for (const { name, part, event } of script) {
        let id: string | undefined;
        try {
          id = audit.emit(name, event);
        } catch (error) {
          if (!(error instanceof AuditValidationError)) throw error;
          throw new ScenarioError(dayFile, part === 'routine' ? 'routine.templates' : `scenarios (${part})`, `event ${name} at ${event.time} does not fit the catalog ${catalog.source}: ${error.message}`);
        }
        if (id) {
          sent.push(id);
          partOf.set(id, part);
        }
      }
    } finally {
      await audit.shutdown();
    }
    log(`[demo] emitted ${sent.length} events of ${day.date} (${day.scenarios.length} attack scenarios), waiting for delivery`);

    const sentSet = new Set(sent);
    const verifyFile = (): TrailReport => verifyTrail(readTrail(existsSync(paths.fileOutput) ? readFileSync(paths.fileOutput, 'utf8') : '', paths.fileOutput).records, { keys: trusted });
    const verifyHec = (): TrailReport => verifyTrail(hec!.events.map((e, i) => ({ body: e.event, where: `hec#${i}` })), { keys: trusted });
    // Every event and the last digest (it is sent at shutdown) at both destinations.
    const arrived = () => missing(sent, readFileRecords(paths.fileOutput).map(recordId)).length === 0 && missing(sent, hec!.events.map(hecEventId)).length === 0 && verifyFile().exitCode !== 2 && verifyHec().exitCode !== 2;
    await waitUntil(arrived, options.deliveryTimeoutMillis ?? 30_000);
    await collector.stop();
    await hec.close();

    const fileRecords = readFileRecords(paths.fileOutput).filter((r) => sentSet.has(recordId(r) ?? ''));
    const hecEvents = hec.events.filter((e) => sentSet.has(hecEventId(e) ?? ''));
    writeFileSync(paths.hecOutput, hec.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const fileIds = fileRecords.map(recordId);
    const hecIds = hecEvents.map(hecEventId);
    const lost = { file: missing(sent, fileIds), hec: missing(sent, hecIds) };
    const received = { file: new Set(fileIds).size, hec: new Set(hecIds).size };

    // Each stream once per id (the first copy), through the same pack: attributes from the file, canonical bodies from HEC.
    const firstOf = <T>(items: T[], idOf: (item: T) => string | undefined) => {
      const seen = new Set<string>();
      return items.filter((item) => {
        const id = idOf(item) ?? '';
        return !seen.has(id) && seen.add(id);
      });
    };
    const fileMatches = engine.run(firstOf(fileRecords, recordId).map(viewOfLogRecord));
    const hecMatches = engine.run(firstOf(hecEvents, hecEventId).map((e) => viewOfCanonical(e.event as PartialCanonicalEvent, catalog.domain)));
    const detections = groupMatches(fileMatches, hecMatches, partOf);
    const expected = checkExpected(day.scenarios, detections, hecMatches, partOf);
    const expectedTitles = new Set(expected.map((e) => e.title));
    const unexpected = detections.filter((d) => !expectedTitles.has(d.title)).map((d) => d.title);
    const summary = (report: TrailReport) => ({ exitCode: report.exitCode, records: report.streams.reduce((n, s) => n + s.records, 0), digests: report.streams.reduce((n, s) => n + s.validDigests, 0) });
    const integrity = { file: summary(verifyFile()), hec: summary(verifyHec()) };
    const ok = lost.file.length === 0 && lost.hec.length === 0 && expected.every((e) => e.found) && integrity.file.exitCode === 0 && integrity.hec.exitCode === 0;
    const count = (part: string) => script.filter((e) => e.part === part).length;
    const parts = [{ name: 'routine', title: 'routine work during office hours', events: count('routine') }, ...day.scenarios.map((s) => ({ name: s.name, title: s.title, events: count(s.name) }))];
    return {
      ok,
      day: { date: day.date, organization: day.organization, parts },
      sent: sent.length,
      received,
      lost,
      duplicates: { file: fileIds.length - received.file, hec: hecIds.length - received.hec },
      integrity,
      detections,
      expected,
      unexpected,
      paths,
      collectorBinary: binary,
      durationMillis: Date.now() - started,
    };
  } finally {
    await collector?.stop();
    await hec?.close();
    if (!options.keep) rmSync(scratchDir, { recursive: true, force: true });
  }
}
