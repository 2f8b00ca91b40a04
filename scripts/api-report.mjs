#!/usr/bin/env node
// The public API reports: one api/<name>.api.md per package entry point, made
// by API Extractor from the built declarations (run `npm run build` first).
//   node scripts/api-report.mjs          writes the reports (commit them)
//   node scripts/api-report.mjs --check  fails when the public surface differs
//                                        from the committed reports (npm test)
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const reportFolder = join(root, 'api');
const tempFolder = join(root, 'node_modules', '.cache', 'api-extractor');
mkdirSync(reportFolder, { recursive: true });

// Every entry point of package.json `exports` that has types.
const entries = Object.entries(pkg.exports).filter(([, target]) => typeof target === 'object' && target.types);
let failed = false;
for (const [subpath, target] of entries) {
  const reportName = subpath === '.' ? pkg.name : `${pkg.name}-${subpath.slice(2).replace(/\//g, '-')}`;
  const types = join(root, target.types);
  if (!existsSync(types)) {
    console.error(`api-report: ${target.types} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: types,
      compiler: { tsconfigFilePath: join(root, 'tsconfig.build.json') },
      apiReport: { enabled: true, reportFileName: `${reportName}.api.md`, reportFolder, reportTempFolder: tempFolder },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // Internal helper types reached from public ones are listed in the report; that is enough.
        extractorMessageReporting: { 'ae-missing-release-tag': { logLevel: 'none' }, 'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true } },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
        compilerMessageReporting: { default: { logLevel: 'warning' } },
      },
    },
    configObjectFullPath: join(root, 'api', 'api-extractor.json'),
    packageJsonFullPath: join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false, messageCallback: (m) => { if (m.logLevel === 'none') m.handled = true; } });
  if (check && result.apiReportChanged) {
    failed = true;
    console.error(`api-report: the public API of "${subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`}" differs from api/${reportName}.api.md.\n  If the change is intended, run \`npm run api:report\` and commit the report; otherwise undo the export.`);
  } else if (!result.succeeded && !result.apiReportChanged) {
    failed = true;
    console.error(`api-report: API Extractor failed for ${target.types} (${result.errorCount} errors)`);
  } else {
    console.log(`api-report: ${reportName}.api.md ${check ? 'matches' : 'written'}`);
  }
}
process.exit(failed ? 1 : 0);
