// Conformance run: parses, validates and compiles every rule file under a
// folder (e.g. a checkout of SigmaHQ/sigma's rules/) and reports the rates
// and the reasons for failures. Not part of `npm test`.
//   npx tsx scripts/sigma-conformance.ts <path> [--json]
import { relative } from 'node:path';
import { parseSigmaFile, validateDocuments, type SigmaDocument } from '../src/sigma/index.js';
import { compileDetection } from '../src/sigma/detection.js';
import { listYamlFiles } from '../src/sigma/parse.js';
import { parseTimespan } from '../src/sigma/correlation.js';

const [path, flag] = process.argv.slice(2);
if (!path) {
  console.error('usage: tsx scripts/sigma-conformance.ts <folder of Sigma rules> [--json]');
  process.exit(2);
}

/** Groups failure messages: quoted names and numbers become placeholders. */
const reasonOf = (message: string) => message.replace(/%[^%]+%/g, '%…%').replace(/Invalid regular expression: \/.*\/[a-z]*: /, 'Invalid regular expression: /…/: ').replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 160);

const files = listYamlFiles([path]);
const failures = new Map<string, string[]>();
const fail = (stage: string, file: string, message: string) => {
  const key = `${stage}: ${reasonOf(message)}`;
  failures.set(key, [...(failures.get(key) ?? []), relative(path, file)]);
};
let documents = 0;
let parsedFiles = 0;
let compiled = 0;
let schemaValid = 0;
const started = performance.now();
for (const file of files) {
  let docs: SigmaDocument[];
  try {
    docs = parseSigmaFile(file);
    parsedFiles++;
  } catch (error) {
    fail('parse', file, (error as Error).message.replace(file, ''));
    continue;
  }
  for (const doc of docs) {
    documents++;
    try {
      if (doc.kind === 'rule') compileDetection(doc.rule.detection);
      else if (doc.kind === 'filter') compileDetection({ ...doc.rule.filter, rules: undefined }, {}, 'filter');
      else if (parseTimespan(String(doc.rule.correlation?.timespan)) === undefined) throw new Error(`timespan "${String(doc.rule.correlation?.timespan)}"`);
      compiled++;
    } catch (error) {
      fail('compile', file, `${(error as { path?: string }).path ?? ''} ${(error as Error).message}`.trim());
    }
    const issues = validateDocuments([doc]).filter((i) => i.severity === 'error' && !i.message.startsWith('no rule or correlation'));
    if (issues.length === 0) schemaValid++;
    else fail('schema', file, `${issues[0]!.path}: ${issues[0]!.message}`);
  }
}
const seconds = (performance.now() - started) / 1000;
const summary = {
  files: files.length,
  parsedFiles,
  documents,
  compiled,
  schemaValid,
  parseRate: files.length ? parsedFiles / files.length : 1,
  compileRate: documents ? compiled / documents : 1,
  seconds,
  failures: [...failures.entries()].sort((a, b) => b[1].length - a[1].length).map(([reason, list]) => ({ reason, count: list.length, examples: list.slice(0, 3) })),
};
if (flag === '--json') {
  console.log(JSON.stringify(summary, null, 2));
} else {
  const pct = (n: number) => `${(n * 100).toFixed(2)}%`;
  console.log(`${files.length} files, ${parsedFiles} parsed (${pct(summary.parseRate)}); ${documents} documents, ${compiled} compiled (${pct(summary.compileRate)}), ${schemaValid} valid against the JSON schemas; ${seconds.toFixed(1)} s`);
  for (const failure of summary.failures) console.log(`${String(failure.count).padStart(5)}  ${failure.reason}  (e.g. ${failure.examples.join(', ')})`);
}
