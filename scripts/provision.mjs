#!/usr/bin/env node
// Provisions the real tools and servers the tests use: the OpenTelemetry
// Collector (built with ocb from collector/builder-config.yaml), sigma-cli (a
// virtual environment from sigma/requirements.txt), Helm (built from its Go
// module at the version pinned in src/tools/helm-build.ts), OpenSearch (the
// integration-test distribution from Maven Central, src/tools/opensearch.ts)
// moto's server for S3 and CloudWatch Logs (a virtual environment from
// test/harness/moto-requirements.txt) and Kafka (its jars from Maven Central,
// src/tools/kafka.ts). All are cached outside git and reused
// while their manifests (or the pinned version) are unchanged.
//   node scripts/provision.mjs [all|collector|sigma|helm|opensearch|moto|kafka]
import { existsSync } from 'node:fs';

const TARGETS = ['collector', 'sigma', 'helm', 'opensearch', 'moto', 'kafka'];
const which = process.argv[2] ?? 'all';
if (which !== 'all' && !TARGETS.includes(which)) {
  console.error(`usage: node scripts/provision.mjs [all|${TARGETS.join('|')}] (got "${which}")`);
  process.exit(2);
}
if (!existsSync(new URL('../dist/tools/collector-build.js', import.meta.url))) {
  console.error('provision: dist/ is missing; run `npm run build` first (npm ci does it through `prepare`).');
  process.exit(1);
}
const { provisionCollector } = await import('../dist/tools/collector-build.js');
const { provisionSigmaCli } = await import('../dist/tools/sigma-venv.js');
const { provisionHelm } = await import('../dist/tools/helm-build.js');
const { provisionOpenSearch } = await import('../dist/tools/opensearch.js');
const { provisionMoto } = await import('../dist/tools/moto.js');
const { provisionKafka } = await import('../dist/tools/kafka.js');

const log = (line) => console.log(line);
const wanted = (target) => which === 'all' || which === target;
try {
  // Sequential on purpose: the machine may have two cores, and the Go build wants both.
  if (wanted('sigma')) await provisionSigmaCli({ log });
  if (wanted('moto')) await provisionMoto({ log });
  if (wanted('opensearch')) await provisionOpenSearch({ log });
  if (wanted('kafka')) await provisionKafka({ log });
  if (wanted('collector')) await provisionCollector({ log });
  if (wanted('helm')) await provisionHelm({ log });
} catch (error) {
  console.error(`\nprovision failed.\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
