// Apache Kafka through the contrib kafka exporter: each destination produces
// to its own topic, one message per batch of records encoded as an OTLP
// ExportLogsServiceRequest (protobuf or JSON). Also the hand-off between an
// agent tier and a gateway tier whose kafka receiver reads the topic.
import type { DestinationModule } from './types.js';
import { compact, tlsConfig } from './types.js';

export const kafka: DestinationModule<'kafka'> = {
  type: 'kafka',
  summary: 'Apache Kafka topic, OTLP protobuf or JSON messages (kafka exporter)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => {
    // With tls, the client talks TLS to the brokers; without it, plaintext.
    const tls = d.tls === undefined ? undefined : tlsConfig(d.tls);
    return {
      exporterType: 'kafka',
      config: compact({
        brokers: d.brokers,
        logs: { topic: d.topic, encoding: d.encoding },
        producer: d.compression === undefined ? undefined : { compression: d.compression },
        tls,
      }),
    };
  },
};
