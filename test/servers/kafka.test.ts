// The kafka destination and the gateway intake against a real Kafka 4.1
// (single KRaft node started by the servers globalSetup). The agent tier:
// emitter → rendered config → collector → kafka exporter → topic (one per
// destination, OTLP JSON and OTLP protobuf). The gateway tier: a destinations
// file with `collector.intake: kafka` and a file destination, rendered by
// `otel-audit collector render`, run by a second collector per topic that
// reads it with the kafka receiver. Both tiers name the brokers by
// ${env:KAFKA_BOOTSTRAP}, so the reference reaches the collector as written.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildProgram } from '../../src/cli/program.js';
import { contract } from '../../src/event/contract.js';
import type { DecodedLogRecord } from '../../src/event/otlp-json.js';
import { readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { freePort } from '../harness/ports.js';
import { testServers } from '../harness/servers.js';
import { catalog, forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const FORK_ID = '019cd58f-0000-7000-8000-00000000ca01';
const run = Date.now().toString(36);
const JSON_TOPIC = `otel-audit-json-${run}`;
const PROTO_TOPIC = `otel-audit-proto-${run}`;

interface Gateway {
  collector: RunningCollector;
  /** The config `otel-audit collector render` wrote. */
  rendered: string;
  /** Where its file destination writes. */
  output: string;
}

/** Renders a gateway tier's destinations file with the CLI and starts the collector on the result. */
async function startGateway(topic: string, encoding: 'otlp_json' | 'otlp_proto', env: Record<string, string>): Promise<Gateway> {
  const workDir = mkdtempSync(join(tmpdir(), 'otel-audit-gateway-'));
  const ports = { otlpGrpc: await freePort(), otlpHttp: await freePort(), health: await freePort() };
  const output = join(workDir, 'gateway.jsonl');
  const file = join(workDir, 'audit-collector.yaml');
  writeFileSync(file, stringify({
    domain: catalog.domain,
    collector: {
      intake: 'kafka',
      kafka: { brokers: ['${env:KAFKA_BOOTSTRAP}'], topic, encoding, groupId: `gateway-${encoding}-${run}`, initialOffset: 'earliest' },
      healthCheck: { bind: '127.0.0.1', port: ports.health },
      queue: { directory: join(workDir, 'queue') },
      telemetry: { metricsLevel: 'none' },
    },
    destinations: [{ name: 'archive', type: 'file', path: output }],
  }));
  const configFile = join(workDir, 'rendered.yaml');
  const warn = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    await buildProgram().parseAsync(['node', 'otel-audit', 'collector', 'render', '-f', file, '-o', configFile]);
  } finally {
    warn.mockRestore();
  }
  const rendered = readFileSync(configFile, 'utf8');
  const collector = await startCollector(() => rendered, { workDir, ports, env });
  return { collector, rendered, output };
}

describe('kafka destination and gateway intake', () => {
  const { kafka } = testServers();
  const env = { KAFKA_BOOTSTRAP: kafka.bootstrap };
  let agent: DeliveringCollector;
  let gateways: Gateway[] = [];
  let records: DecodedLogRecord[][] = [];

  beforeAll(async () => {
    agent = await startDelivering([
      { name: 'kafka-json', type: 'kafka', brokers: ['${env:KAFKA_BOOTSTRAP}'], topic: JSON_TOPIC, encoding: 'otlp_json' },
      { name: 'kafka-proto', type: 'kafka', brokers: ['${env:KAFKA_BOOTSTRAP}'], topic: PROTO_TOPIC, compression: 'gzip' },
    ], env);
    await emitThrough(agent, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-kafka', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    // The gateway tier: one per topic, each reading it from the first offset.
    gateways = await Promise.all([startGateway(JSON_TOPIC, 'otlp_json', env), startGateway(PROTO_TOPIC, 'otlp_proto', env)]);
    records = await Promise.all(gateways.map((g) => eventually(() => {
      const got = readFileExporterOutput(g.output);
      return got.length >= 2 ? got : undefined;
    }, 60_000, 'two records through the gateway', g.collector)));
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    for (const g of gateways) await g.collector.stop();
  });

  it('the agent renders one kafka exporter per destination, each with its topic and encoding, brokers as the reference', () => {
    const exporters = (parse(agent.rendered) as { exporters: Record<string, { brokers: string[]; logs: { topic: string; encoding: string } }> }).exporters;
    expect(exporters['kafka/kafka-json']).toMatchObject({ brokers: ['${env:KAFKA_BOOTSTRAP}'], logs: { topic: JSON_TOPIC, encoding: 'otlp_json' } });
    expect(exporters['kafka/kafka-proto']).toMatchObject({ brokers: ['${env:KAFKA_BOOTSTRAP}'], logs: { topic: PROTO_TOPIC, encoding: 'otlp_proto' } });
  });

  it('the gateway renders the kafka receiver as its intake and no OTLP receiver', () => {
    for (const [i, g] of gateways.entries()) {
      const config = parse(g.rendered) as { receivers: Record<string, unknown>; service: { pipelines: Record<string, { receivers: string[] }> } };
      expect(Object.keys(config.receivers)).toEqual(['kafka']);
      expect(config.receivers.kafka).toMatchObject({
        brokers: ['${env:KAFKA_BOOTSTRAP}'],
        logs: { topic: i === 0 ? JSON_TOPIC : PROTO_TOPIC, encoding: i === 0 ? 'otlp_json' : 'otlp_proto' },
        initial_offset: 'earliest',
        message_marking: { after: true },
      });
      expect(Object.values(config.service.pipelines).flatMap((p) => p.receivers).filter((r) => !r.startsWith('routing/'))).toEqual(['kafka']);
    }
  });

  it('every record crosses both topics and both tiers intact: event name, severity, time, body, attributes, resource', () => {
    for (const got of records) expect(got).toHaveLength(2);
    const forks = records.map((got) => got.find((r) => r.attributes['log.record.uid'] === FORK_ID));
    for (const fork of forks) {
      expect(fork).toBeDefined();
      expect(fork!.eventName).toBe('repo.fork');
      expect(fork!.severityText).toBe(contract().severities.warning.text);
      expect(fork!.timeUnixNano).toBe(String(Date.parse(forkEvent(FORK_ID).time) * 1_000_000));
      expect(fork!.attributes).toMatchObject({ 'event.name': 'repo.fork', 'event.domain': 'acme.audit', 'user.id': 'u-1', 'organization.id': 'acme', 'audit.data.forks': 3, 'audit.data.deployKey': contract().sensitive.replacement });
      expect(fork!.body).toMatchObject({ id: FORK_ID, name: 'repo.fork', data: { repo: { id: 'r-9', visibility: 'private' }, forks: 3 } });
      expect(fork!.resource['service.name']).toBe('otel-audit-server-test');
      expect(fork!.scope.name).toBe('otel-audit');
    }
    expect(forks[0]).toEqual({ ...forks[1], observedTimeUnixNano: forks[0]!.observedTimeUnixNano });
    expect(JSON.stringify(records)).not.toMatch(/hunter2|ssh-ed25519/);
  });
});
