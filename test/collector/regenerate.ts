// Rewrites the checked-in renderings after a deliberate renderer change:
//   npx tsx test/collector/regenerate.ts
// The tests fail while any of them is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { destinationModules } from '../../src/collector/destinations/index.js';
import { renderCompose } from '../../src/collector/compose.js';
import { parseDestinations } from '../../src/collector/load.js';
import { join } from 'node:path';
import { docPath, exampleNames, root, goldenPath, referenceConfigPath, renderExample, withDocExample } from './examples.js';

for (const name of exampleNames()) {
  writeFileSync(goldenPath(name), renderExample(name));
}
writeFileSync(referenceConfigPath, renderExample('reference'));
const reference = 'collector/examples/reference.yaml';
writeFileSync(join(root, 'compose.yaml'), renderCompose(parseDestinations(readFileSync(join(root, reference), 'utf8'), reference), { configFile: './collector/config.yaml' }));
for (const type of Object.keys(destinationModules)) {
  const file = docPath(type);
  if (!existsSync(file)) {
    console.error(`missing ${file}`);
    continue;
  }
  writeFileSync(file, withDocExample(readFileSync(file, 'utf8'), renderExample(type)));
}
console.log('regenerated goldens, collector/config.yaml, compose.yaml and docs examples');
