// The kafka destination against a real Kafka 4.1 (single KRaft node started by
// the servers globalSetup): emitter → rendered config → collector → kafka
// exporter → topic (one per destination, OTLP JSON and OTLP protobuf), then a
// second collector, the gateway tier, reads both topics with the kafka
// receiver into a file. Its config is written by hand here: `collector.intake:
// kafka` is not rendered yet.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import type { DecodedLogRecord } from '../../src/event/otlp-json.js';
import { readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { testServers } from '../harness/servers.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const FORK_ID = '019cd58f-0000-7000-8000-00000000ca01';
const run = Date.now().toString(36);
const JSON_TOPIC = `otel-audit-json-${run}`;
const PROTO_TOPIC = `otel-audit-proto-${run}`;

describe('kafka destination and gateway intake', () => {
  const { kafka } = testServers();
  let agent: DeliveringCollector;
  let gateway: RunningCollector;
  let output = '';
  let records: DecodedLogRecord[] = [];

  beforeAll(async () => {
    agent = await startDelivering([
      { name: 'kafka-json', type: 'kafka', brokers: [kafka.bootstrap], topic: JSON_TOPIC, encoding: 'otlp_json' },
      { name: 'kafka-proto', type: 'kafka', brokers: [kafka.bootstrap], topic: PROTO_TOPIC, compression: 'gzip' },
    ]);
    await emitThrough(agent, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-kafka', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    // The gateway tier: reads what the agents produced, from the first offset.
    gateway = await startCollector((ports, dir) => ({
      receivers: {
        'kafka/json': { brokers: [kafka.bootstrap], group_id: `gateway-json-${run}`, initial_offset: 'earliest', logs: { topic: JSON_TOPIC, encoding: 'otlp_json' } },
        'kafka/proto': { brokers: [kafka.bootstrap], group_id: `gateway-proto-${run}`, initial_offset: 'earliest', logs: { topic: PROTO_TOPIC, encoding: 'otlp_proto' } },
      },
      exporters: { file: { path: (output = join(dir, 'gateway.jsonl')), flush_interval: '100ms' } },
      extensions: { health_check: { endpoint: `127.0.0.1:${ports.health}` } },
      service: {
        extensions: ['health_check'],
        telemetry: { metrics: { level: 'none' } },
        pipelines: { logs: { receivers: ['kafka/json', 'kafka/proto'], exporters: ['file'] } },
      },
    }));
    records = await eventually(() => {
      const got = readFileExporterOutput(output);
      return got.length >= 4 ? got : undefined;
    }, 60_000, 'four records (two per topic) through the gateway', gateway);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await gateway?.stop();
  });

  it('renders one kafka exporter per destination, each with its topic and encoding', () => {
    expect(agent.rendered).toContain(`topic: ${JSON_TOPIC}`);
    expect(agent.rendered).toContain('encoding: otlp_json');
    expect(agent.rendered).toContain(`topic: ${PROTO_TOPIC}`);
    expect(agent.rendered).toContain('encoding: otlp_proto');
  });

  it('every record crosses both topics intact: event name, severity, time, body, attributes, resource', () => {
    expect(records).toHaveLength(4);
    const forks = records.filter((r) => r.attributes['log.record.uid'] === FORK_ID);
    expect(forks).toHaveLength(2);
    for (const fork of forks) {
      expect(fork.eventName).toBe('repo.fork');
      expect(fork.severityText).toBe(contract().severities.warning.text);
      expect(fork.timeUnixNano).toBe(String(Date.parse(forkEvent(FORK_ID).time) * 1_000_000));
      expect(fork.attributes).toMatchObject({ 'event.name': 'repo.fork', 'event.domain': 'acme.audit', 'user.id': 'u-1', 'organization.id': 'acme', 'audit.data.forks': 3, 'audit.data.deployKey': contract().sensitive.replacement });
      expect(fork.body).toMatchObject({ id: FORK_ID, name: 'repo.fork', data: { repo: { id: 'r-9', visibility: 'private' }, forks: 3 } });
      expect(fork.resource['service.name']).toBe('otel-audit-server-test');
      expect(fork.scope.name).toBe('otel-audit');
    }
    expect(forks[0]).toEqual({ ...forks[1], observedTimeUnixNano: forks[0]!.observedTimeUnixNano });
    expect(JSON.stringify(records)).not.toMatch(/hunter2|ssh-ed25519/);
  });
});
