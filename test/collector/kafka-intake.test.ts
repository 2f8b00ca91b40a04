// `collector.intake: kafka`, the gateway tier: the intake pipeline's receiver
// is the kafka receiver (contrib v0.139.0 keys) instead of the OTLP one, no
// packaging opens an OTLP port, collector.kafka is required with it and
// refused without it, and Kafka brokers (of the gateway and of a kafka
// destination) may be ${env:NAME} references but never carry a literal
// credential. test/servers/kafka.test.ts runs both tiers against a real Kafka.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCollectorConfig, DestinationsError, packagingWarnings, parseDestinations, renderCollectorConfig } from '../../src/collector/index.js';
import { renderCompose } from '../../src/collector/compose.js';
import { withDefaults } from '../../src/collector/spec.js';

const FILE = 'destinations:\n  - name: archive\n    type: file\n    path: /var/lib/otelcol/audit/audit.jsonl\n';
const load = (collector: string, destinations = FILE) => parseDestinations(`domain: acme.audit\n${collector ? `collector:\n${collector}` : ''}${destinations}`, 'gateway.yaml');
const problems = (collector: string, destinations = FILE): string[] => {
  try {
    load(collector, destinations);
  } catch (error) {
    if (error instanceof DestinationsError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
};

describe('collector.intake: kafka', () => {
  const spec = load('  intake: kafka\n  kafka:\n    brokers: [kafka-0:9092, "${env:KAFKA_BROKER}"]\n    topic: otel-audit-logs\n    tls: { caFile: /etc/kafka/ca.pem }\n  receiver: { bind: 127.0.0.1 }\n');
  const { config } = buildCollectorConfig(spec);

  it('reads the topic with the kafka receiver as the intake pipeline\'s receiver, with the defaults applied', () => {
    expect(Object.keys(config.receivers)).toEqual(['kafka']);
    expect(config.receivers.kafka).toEqual({
      brokers: ['kafka-0:9092', '${env:KAFKA_BROKER}'],
      logs: { topic: 'otel-audit-logs', encoding: 'otlp_proto' },
      group_id: 'otel-audit-gateway',
      initial_offset: 'earliest',
      tls: { ca_file: '/etc/kafka/ca.pem' },
      message_marking: { after: true, on_error: false, on_permanent_error: true },
      error_backoff: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '0s' },
    });
    const receivers = Object.values(config.service.pipelines).flatMap((p) => p.receivers).filter((r) => !r.startsWith('routing/'));
    expect(receivers).toEqual(['kafka']);
    expect(config.extensions).toHaveProperty(['health_check']);
    expect(config.service.extensions).toContain('health_check');
  });

  it('keeps memory_limiter, the domain filter and redaction in front of the destinations', () => {
    expect(config.service.pipelines.logs).toEqual({ receivers: ['kafka'], processors: ['memory_limiter', 'filter/audit-domain'], exporters: ['routing/audit-redaction'] });
    expect(config.service.pipelines['logs/redact']).toMatchObject({ processors: ['redaction/audit-sensitive'] });
    const untrusting = buildCollectorConfig({ ...spec, collector: { ...spec.collector, redaction: { ...spec.collector.redaction, trustEmitter: false } } }).config;
    expect(untrusting.service.pipelines).toEqual({
      'logs/archive': { receivers: ['kafka'], processors: ['memory_limiter', 'filter/audit-domain', 'redaction/audit-sensitive'], exporters: ['file/archive'] },
    });
  });

  it('says so in the header comment', () => {
    expect(renderCollectorConfig(spec)).toContain('# Gateway tier (collector.intake: kafka): the kafka receiver reads topic otel-audit-logs as consumer group otel-audit-gateway; no OTLP port is opened.');
  });

  it('opens no OTLP port in the Helm values, the operator resource or the compose file, and does not warn about the unused receiver bind', () => {
    const helm = parse(renderCollectorConfig(spec, { format: 'helm' })) as { ports: Record<string, { enabled: boolean }> };
    expect(Object.entries(helm.ports).filter(([, p]) => p.enabled)).toEqual([]);
    const operator = parse(renderCollectorConfig(spec, { format: 'operator' })) as { spec: { config: { receivers: Record<string, unknown> } } };
    expect(Object.keys(operator.spec.config.receivers)).toEqual(['kafka']);
    const compose = parse(renderCompose(spec)) as { services: Record<string, { ports: string[] }> };
    expect(compose.services['otel-audit-collector']!.ports).toEqual(['127.0.0.1:13133:13133']);
    expect(packagingWarnings(spec, 'helm').join('\n')).not.toContain('collector.receiver.bind');
  });

  it('renders the OTLP receiver as before when intake is otlp (the default)', () => {
    const otlp = buildCollectorConfig(load('  receiver: { grpcPort: 14317 }\n')).config;
    expect(Object.keys(otlp.receivers)).toEqual(['otlp']);
    expect(load('  intake: otlp\n').collector.kafka).toBeUndefined();
  });

  it('requires collector.kafka with intake kafka and refuses it otherwise, naming the key', () => {
    expect(problems('  intake: kafka\n')).toEqual(['collector.intake: is "kafka", so collector.kafka must say which topic to read: its brokers and topic (docs/collector.md, "Gateway tier (Kafka intake)")']);
    expect(problems('  kafka: { brokers: [k:9092], topic: t }\n')).toEqual(['collector.kafka: is read only when collector.intake is "kafka" (here it is "otlp"); set collector.intake: kafka to read from Kafka, or remove collector.kafka']);
    expect(problems('  intake: otlp\n  kafka: { brokers: [k:9092], topic: t }\n')).toEqual([expect.stringContaining('collector.kafka: is read only when collector.intake is "kafka"')]);
    expect(problems('  intake: kafka\n  kafka: { brokers: [], topic: t, encoding: avro, initialOffset: newest, group: g }\n')).toEqual([
      'collector.kafka.brokers: must NOT have fewer than 1 items',
      'collector.kafka.encoding: must be one of "otlp_proto", "otlp_json"',
      'collector.kafka.initialOffset: must be one of "earliest", "latest"',
      'collector.kafka.group: unknown key "group"; did you mean "groupId"?',
    ]);
  });

  it('refuses a spec built in code that asks for the kafka intake without saying which topic', () => {
    const bad = withDefaults({ domain: 'acme.audit', collector: { intake: 'kafka' }, destinations: [{ name: 'a', type: 'debug' }] });
    expect(() => buildCollectorConfig(bad)).toThrow(/collector\.kafka: collector\.intake is "kafka", so collector\.kafka must say which topic to read/);
  });
});

describe('Kafka brokers as references', () => {
  it('renders ${env:NAME} brokers verbatim, in a kafka destination and in the gateway\'s intake', () => {
    const spec = load('  intake: kafka\n  kafka: { brokers: ["${env:GATEWAY_BROKER}"], topic: "t$1" }\n', 'destinations:\n  - name: next\n    type: kafka\n    brokers: ["${env:NEXT_BROKER}", "kafka-1:9092"]\n    topic: "audit-$x"\n');
    const { config } = buildCollectorConfig(spec);
    expect(config.receivers.kafka).toMatchObject({ brokers: ['${env:GATEWAY_BROKER}'], logs: { topic: 't$$1' } });
    expect(config.exporters['kafka/next']).toMatchObject({ brokers: ['${env:NEXT_BROKER}', 'kafka-1:9092'], logs: { topic: 'audit-$$x' } });
    expect(packagingWarnings(spec, 'config')).toEqual([]);
  });

  it('refuses a literal credential or another ${…} form in a broker, without repeating the value', () => {
    const destination = (broker: string) => `destinations:\n  - name: next\n    type: kafka\n    brokers: ["${broker}"]\n    topic: t\n`;
    const gateway = (broker: string) => `  intake: kafka\n  kafka: { brokers: ["${broker}"], topic: t }\n`;
    const credential = 'contains credentials (user:password@) in its URL';
    expect(problems('', destination('alice:hunter2@kafka-0:9092'))).toEqual([expect.stringMatching(new RegExp(`^destinations\\[0\\]\\.brokers\\[0\\]: ${credential.replace(/[()]/g, '\\$&')}`))]);
    expect(problems(gateway('alice:hunter2@kafka-0:9092'))).toEqual([expect.stringMatching(new RegExp(`^collector\\.kafka\\.brokers\\[0\\]: ${credential.replace(/[()]/g, '\\$&')}`))]);
    expect(problems('', destination('kafka-0:9092?password=hunter2'))).toEqual([expect.stringContaining('destinations[0].brokers[0]: contains a credential in the query parameter "password"')]);
    expect(problems(gateway('${env:A}:${env:B}@kafka-0:9092'))).toEqual([]);
    expect(problems(gateway('${file:/etc/passwd}'))).toEqual([expect.stringContaining('collector.kafka.brokers[0]: holds a "${" that is not an ${env:NAME} reference')]);
    expect(problems('', destination('${KAFKA}'))).toEqual([expect.stringContaining('destinations[0].brokers[0]: holds a "${" that is not an ${env:NAME} reference')]);
    for (const p of [...problems(gateway('alice:hunter2@k:1')), ...problems('', destination('k:1?password=hunter2'))]) expect(p).not.toContain('hunter2');
  });
});
