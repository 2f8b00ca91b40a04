#!/usr/bin/env node
// Provisions the real tools the tests use: the OpenTelemetry Collector (built
// with ocb from collector/builder-config.yaml) and sigma-cli (a virtual
// environment from sigma/requirements.txt). Both are cached outside git and
// reused while their manifests are unchanged.
//   node scripts/provision.mjs [all|collector|sigma]
import { existsSync } from 'node:fs';

const which = process.argv[2] ?? 'all';
if (!['all', 'collector', 'sigma'].includes(which)) {
  console.error(`usage: node scripts/provision.mjs [all|collector|sigma] (got "${which}")`);
  process.exit(2);
}
if (!existsSync(new URL('../dist/tools/collector-build.js', import.meta.url))) {
  console.error('provision: dist/ is missing; run `npm run build` first (npm ci does it through `prepare`).');
  process.exit(1);
}
const { provisionCollector } = await import('../dist/tools/collector-build.js');
const { provisionSigmaCli } = await import('../dist/tools/sigma-venv.js');

const log = (line) => console.log(line);
try {
  // Sequential on purpose: the machine may have two cores, and the Go build wants both.
  if (which !== 'collector') await provisionSigmaCli({ log });
  if (which !== 'sigma') await provisionCollector({ log });
} catch (error) {
  console.error(`\nprovision failed.\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
