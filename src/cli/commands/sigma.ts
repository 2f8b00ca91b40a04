import { relative } from 'node:path';
import { Option, type Command } from 'commander';
import { provisionSigmaCli } from '../../tools/sigma-venv.js';
import { checkPack, convertRules, defaultRulesPath, formatCheckResult, formatTestResults, loadTargets, runRuleTests, SigmaEngine, untestedRules, type SigmaIssue, type SigmaMatch } from '../../sigma/index.js';
import { matchFiles } from '../../sigma/match-files.js';
import { loadCatalog } from '../../event/catalog.js';
import { OtelAuditError } from '../../errors.js';
import { writeOutput } from '../output.js';

const display = (file: string): string => relative(process.cwd(), file) || file;

const outputFormatOption = () => new Option('--output-format <format>', 'text, or a report for CI: junit (JUnit XML) or sarif (SARIF 2.1.0)').choices(['text', 'junit', 'sarif']).default('text');

/** -o is for the junit and sarif reports; with text output it would be ignored and the CI file never written. */
function refuseTextOutput(options: { outputFormat: string; output?: string }): void {
  if (options.output !== undefined && options.outputFormat === 'text') {
    throw new OtelAuditError('OPTION_INVALID', `-o ${options.output} writes a junit or sarif report: add --output-format junit or --output-format sarif`);
  }
}

/**
 * An issue as compilers and linters print one, `file:line:column: severity: path: message`, so
 * editors and CI log viewers link to it; the document number stands in when the line is unknown.
 */
export function formatIssue(issue: SigmaIssue): string {
  const at = issue.line !== undefined ? `:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}` : '';
  const document = issue.line === undefined && issue.document ? ` (document ${issue.document})` : '';
  return `${display(issue.file)}${at}${document}: ${issue.severity}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

function formatMatch(match: SigmaMatch): string {
  const group = match.group ? ` group ${JSON.stringify(match.group)}` : '';
  return `${(match.level ?? 'none').padEnd(13)} ${match.title} (${match.ruleId ?? 'no id'})${group} events: ${match.eventIds.join(', ') || '(no ids)'}`;
}

export function registerSigmaCommands(program: Command): void {
  const sigma = program.command('sigma').description('check, test, match and convert the Sigma rule pack');
  sigma
    .command('setup')
    .description('install sigma-cli and the pySigma backends into a cached virtual environment (needs Python 3.9+)')
    .action(async () => {
      const binary = await provisionSigmaCli({ log: (line) => console.error(line) });
      console.log(binary);
    });

  sigma
    .command('check')
    .description('validate rules: the official Sigma JSON schemas, checks the schemas miss, the log source and contract attribute names the pipelines need, event names against a catalog, and (for the bundled pack, or with --conventions pack) the pack conventions')
    .argument('[paths...]', 'rule files or folders (default: the bundled sigma/rules)')
    .option('--catalog <file>', 'check event names (and any event.domain) against this catalog (YAML or JSON, as loadCatalog reads it)')
    .addOption(new Option('--conventions <kind>', 'pack: also the bundled pack\'s conventions (otel_audit_ file names, SigmaHQ metadata, no event.domain, the example catalog); none: not them (default: pack for the bundled rules, none otherwise)').choices(['pack', 'none']))
    .option('--no-conventions', 'same as --conventions none')
    .addOption(outputFormatOption())
    .option('-o, --output <file>', 'write the junit or sarif report to this file instead of stdout')
    .action((paths: string[], options: { catalog?: string; conventions?: 'pack' | 'none' | boolean; outputFormat: 'text' | 'junit' | 'sarif'; output?: string }) => {
      refuseTextOutput(options);
      const catalog = options.catalog ? loadCatalog(options.catalog) : undefined;
      const packConventions = options.conventions === 'pack' ? true : options.conventions === 'none' || options.conventions === false ? false : undefined;
      const result = checkPack(paths.length ? paths : undefined, { catalog: catalog ? { domain: catalog.domain, events: catalog.definition.events } : undefined, packConventions });
      const errors = result.issues.filter((i) => i.severity === 'error').length;
      if (options.outputFormat !== 'text') {
        writeOutput(options.output, formatCheckResult(result, options.outputFormat));
        if (errors > 0) process.exitCode = 1;
        return;
      }
      for (const issue of result.issues) console.log(formatIssue(issue));
      console.log(`${result.files} files, ${result.documents} documents, ${errors} errors, ${result.issues.length - errors} warnings`);
      if (errors > 0) process.exitCode = 1;
    });

  sigma
    .command('test')
    .description('run the pack tests (sigma/tests): events each rule must and must not match')
    .option('-r, --rules <paths...>', 'rule files or folders (default: sigma/rules)')
    .option('-t, --tests <paths...>', 'test files or folders (default: sigma/tests)')
    .addOption(outputFormatOption())
    .option('-o, --output <file>', 'write the junit or sarif report to this file instead of stdout')
    .action((options: { rules?: string[]; tests?: string[]; outputFormat: 'text' | 'junit' | 'sarif'; output?: string }) => {
      refuseTextOutput(options);
      const results = runRuleTests({ rules: options.rules, tests: options.tests });
      if (options.outputFormat !== 'text') {
        const untested = untestedRules({ rules: options.rules, tests: options.tests });
        writeOutput(options.output, formatTestResults(results, untested, options.outputFormat));
        if (results.some((r) => !r.ok) || untested.length > 0) process.exitCode = 1;
        return;
      }
      for (const r of results.filter((x) => !x.ok)) {
        console.log(`FAIL ${r.rule} ${r.case}: expected ${r.expected === 'match' ? 'a match' : 'no match'}; matched: ${r.matched.join(', ') || 'nothing'}`);
      }
      const untested = untestedRules({ rules: options.rules, tests: options.tests });
      for (const file of untested) console.log(`UNTESTED ${file}`);
      const failed = results.filter((r) => !r.ok).length;
      console.log(`${results.length} cases, ${results.length - failed} passed, ${failed} failed, ${untested.length} rules without tests`);
      if (failed > 0 || untested.length > 0) process.exitCode = 1;
    });

  sigma
    .command('match')
    .description('run rules over events and print each match; reads canonical events (YAML, JSON, JSON lines, S3 JSON lines), OTLP JSON and protobuf (the collector file exporter lines, an OTLP/HTTP body), Splunk HEC events and OpenSearch documents or search responses')
    .option('-r, --rules <paths...>', 'rule files or folders (default: the bundled sigma/rules)')
    .requiredOption('-i, --input <files...>', 'event files, in any of the formats above (detected per file and line)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--domain <domain>', 'event.domain for canonical events that carry none')
    .option('--all', 'also report rules that only feed correlations')
    .action((options: { rules?: string[]; input: string[]; format: 'text' | 'json'; domain?: string; all?: boolean }) => {
      const engine = SigmaEngine.fromPaths(options.rules ?? [defaultRulesPath()], { domain: options.domain, emitAll: options.all });
      // Every bad line or event is reported (file:line: reason, on stderr) and left out; the others are matched.
      let bad = 0;
      const report = (message: string) => {
        bad++;
        console.error(message);
      };
      // Matches are printed as they come (matchFiles streams files when no rule is a correlation).
      let count = 0;
      // --format json: the items of JSON.stringify(matches, null, 2), each printed when the next one (or the end) shows whether a comma follows.
      let pending: string | undefined;
      const print = (m: SigmaMatch) => {
        count++;
        if (options.format === 'text') return console.log(formatMatch(m));
        const item = JSON.stringify({ rule: m.ruleId, title: m.title, level: m.level, kind: m.kind, events: m.eventIds, ...(m.group ? { group: m.group } : {}) }, null, 2).replaceAll('\n', '\n  ');
        console.log(pending === undefined ? '[' : `  ${pending},`);
        pending = item;
      };
      const matched = matchFiles(engine, options.input, { domain: options.domain, onMatch: print, onError: report });
      if (options.format === 'json') console.log(pending === undefined ? '[]' : `  ${pending}\n]`);
      const badNote = bad > 0 ? `, ${bad} bad ${bad === 1 ? 'line or event' : 'lines or events'} left out (listed above); exit code 1` : '';
      if (options.format === 'text' || bad > 0) console.error(`${matched} events, ${count} matches${badNote}`);
      if (bad > 0) process.exitCode = 1;
    });

  sigma
    .command('convert')
    .description('convert rules into SIEM queries with sigma-cli and the bundled pipeline for the target')
    .addOption(new Option('-t, --target <target>', 'where the audit events are stored').choices(Object.keys(loadTargets())).makeOptionMandatory())
    .argument('[paths...]', 'rule files or folders (default: the bundled sigma/rules)')
    .option('--domain <domain>', 'also require event.domain to equal this (your catalog domain)')
    .option('-p, --pipeline <files...>', 'more pySigma pipeline files, applied with the bundled one')
    .option('-f, --format <format>', 'a sigma-cli output format of the target\'s backend, passed through (e.g. savedsearches for splunk, siem_rule_ndjson for elasticsearch; `sigma list formats <backend>`); default: plain queries, each under its rule\'s title and id')
    .option('--destinations <file>', 'a destinations file: the splunk, opensearch (PPL) and elasticsearch (ES|QL) queries name the indexes its destinations of that type write to (all of them: index IN (…), source=a,b, FROM a,b)')
    .option('--destination <name>', 'with --destinations: only the index of this destination')
    .action(async (paths: string[], options: { target: string; domain?: string; pipeline?: string[]; format?: string; destinations?: string; destination?: string }) => {
      const plain = !options.format || options.format === 'default';
      const result = await convertRules({ target: options.target, paths: paths.length ? paths : undefined, domain: options.domain, pipelines: options.pipeline, format: options.format, destinations: options.destinations, destination: options.destination, perRule: plain });
      if (plain && result.queries) {
        console.log(result.queries.map((q) => `# ${q.title} (${q.id ?? 'no id'}) ${display(q.file)}\n${q.query}`).join('\n\n'));
      } else {
        console.log(result.output);
      }
      for (const skipped of result.notConverted) console.error(`not converted: ${display(skipped.file)}: ${skipped.reason}`);
    });
}
