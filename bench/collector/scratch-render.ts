import { buildCollectorConfig } from '../../src/collector/index.js';
import { withDefaults } from '../../src/collector/spec.js';
import { stringify } from 'yaml';
const c = buildCollectorConfig(withDefaults({
  domain: 'acme.audit',
  collector: {
    receiver: { bind: '127.0.0.1', grpcPort: 1, httpPort: 2 },
    healthCheck: { bind: '127.0.0.1', port: 3 },
    memoryLimiter: { limitMiB: 1024, spikeLimitMiB: 256 },
    queue: { directory: '/tmp/q' },
    redaction: { body: true, trustEmitter: process.argv[2] !== 'untrusted' },
    telemetry: { metricsLevel: 'none' },
  },
  destinations: [{ name: 'archive', type: 'file', path: '/tmp/out.jsonl', flushInterval: '100ms' }],
} as never)).config;
console.log(stringify(c));
