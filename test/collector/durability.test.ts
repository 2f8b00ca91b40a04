// Durability of a rendered config: the persistent queue (file_storage) keeps
// what the collector acknowledged through an outage of the SIEM and a crash of
// the collector itself. HEC down, 1,000 events in, SIGKILL, restart on the same
// folder and ports, HEC up: every id must arrive (duplicates are allowed and
// counted, since delivery is at-least-once).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCollectorConfig } from '../../src/collector/index.js';
import { startHecReceiver, type HecReceiver } from '../../src/testing/hec-receiver.js';
import { withDefaults } from '../../src/collector/spec.js';
import { startCollector, type CollectorPorts, type RunningCollector } from '../harness/collector.js';
import { attributeOf, postEvents, waitFor, type TestEvent } from './otlp.js';

const TOKEN = 'durability-token';
const COUNT = 1000;

describe('durability through a SIEM outage and a collector crash', () => {
  let hec: HecReceiver | undefined;
  let collector: RunningCollector | undefined;
  afterAll(async () => {
    await collector?.stop();
    await hec?.close();
  });

  it(`delivers all ${COUNT} events after SIGKILL and restart`, async () => {
    hec = await startHecReceiver({ token: TOKEN });
    await hec.stop(); // the SIEM is down from the start
    const configFor = (ports: CollectorPorts, workDir: string) => buildCollectorConfig(withDefaults({
      domain: 'acme.audit',
      collector: {
        receiver: { bind: '127.0.0.1', grpcPort: ports.otlpGrpc, httpPort: ports.otlpHttp },
        healthCheck: { bind: '127.0.0.1', port: ports.health },
        queue: { directory: join(workDir, 'queue') },
        retry: { initialInterval: '500ms', maxInterval: '1s' },
        telemetry: { metricsLevel: 'none' },
      },
      destinations: [{ name: 'splunk', type: 'splunk_hec', endpoint: hec!.url, token: '${env:DURABILITY_HEC_TOKEN}' }],
    })).config;
    const env = { DURABILITY_HEC_TOKEN: TOKEN };

    collector = await startCollector(configFor, { env });
    const events: TestEvent[] = Array.from({ length: COUNT }, (_, i) => ({ id: `dur-${String(i).padStart(4, '0')}`, name: 'repo.fork', domain: 'acme.audit', organization: 'org-a' }));
    for (let i = 0; i < COUNT; i += 50) await postEvents(collector.ports.otlpHttp, events.slice(i, i + 50));
    // Let the exporter fail a few times against the dead endpoint, then crash.
    await new Promise((r) => setTimeout(r, 1500));
    await collector.kill();

    collector = await startCollector(configFor, { env, workDir: collector.workDir, ports: collector.ports });
    await hec.start();
    const idAttribute = attributeOf('id');
    const distinct = () => new Set(hec!.events.map((e) => e.fields?.[idAttribute]));
    await waitFor(() => (distinct().size >= COUNT ? true : undefined), 60_000, `${COUNT} distinct ids at the HEC server (have ${distinct().size})`);

    const arrived = distinct();
    const duplicates = hec.events.length - arrived.size;
    console.log(`durability: ${arrived.size} distinct ids of ${COUNT} arrived, ${duplicates} duplicates, ${hec.events.length} HEC events in total`);
    expect([...arrived].sort()).toEqual(events.map((e) => e.id));
  }, 120_000);
});
