#!/usr/bin/env node
// Provisions the real tools the tests use: the OpenTelemetry Collector (built
// with ocb from collector/builder-config.yaml), sigma-cli (a virtual
// environment from sigma/requirements.txt) and Helm (built from its Go module
// at the version pinned in src/tools/helm-build.ts). All are cached outside git
// and reused while their manifests (or the pinned version) are unchanged.
//   node scripts/provision.mjs [all|collector|sigma|helm]
import { existsSync } from 'node:fs';

const which = process.argv[2] ?? 'all';
if (!['all', 'collector', 'sigma', 'helm'].includes(which)) {
  console.error(`usage: node scripts/provision.mjs [all|collector|sigma|helm] (got "${which}")`);
  process.exit(2);
}
if (!existsSync(new URL('../dist/tools/collector-build.js', import.meta.url))) {
  console.error('provision: dist/ is missing; run `npm run build` first (npm ci does it through `prepare`).');
  process.exit(1);
}
const { provisionCollector } = await import('../dist/tools/collector-build.js');
const { provisionSigmaCli } = await import('../dist/tools/sigma-venv.js');
const { provisionHelm } = await import('../dist/tools/helm-build.js');

const log = (line) => console.log(line);
try {
  // Sequential on purpose: the machine may have two cores, and the Go build wants both.
  if (which === 'all' || which === 'sigma') await provisionSigmaCli({ log });
  if (which === 'all' || which === 'collector') await provisionCollector({ log });
  if (which === 'all' || which === 'helm') await provisionHelm({ log });
} catch (error) {
  console.error(`\nprovision failed.\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
