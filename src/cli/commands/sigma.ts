import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { Option, type Command } from 'commander';
import { provisionSigmaCli } from '../../tools/sigma-venv.js';
import { checkPack, convertRules, loadTargets, runRuleTests, SigmaEngine, untestedRules, type EventView, type SigmaMatch } from '../../sigma/index.js';
import { readEvents } from '../../sigma/events.js';
import { InputError } from '../../errors.js';

const display = (file: string): string => relative(process.cwd(), file) || file;

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
    .description('validate rules: the official Sigma JSON schemas, checks the schemas miss, and the pack conventions (ids, file names, ATT&CK tags, catalog event names)')
    .argument('[paths...]', 'rule files or folders (default: the bundled sigma/rules)')
    .option('--no-conventions', 'only the Sigma specification checks, not the pack conventions')
    .action((paths: string[], options: { conventions: boolean }) => {
      const result = checkPack(paths.length ? paths : undefined, { skipConventions: !options.conventions });
      for (const issue of result.issues) {
        console.log(`${display(issue.file)}${issue.document ? ` (document ${issue.document})` : ''}: ${issue.path}: ${issue.severity}: ${issue.message}`);
      }
      const errors = result.issues.filter((i) => i.severity === 'error').length;
      console.log(`${result.files} files, ${result.documents} documents, ${errors} errors, ${result.issues.length - errors} warnings`);
      if (errors > 0) process.exitCode = 1;
    });

  sigma
    .command('test')
    .description('run the pack tests (sigma/tests): events each rule must and must not match')
    .option('-r, --rules <paths...>', 'rule files or folders (default: sigma/rules)')
    .option('-t, --tests <paths...>', 'test files or folders (default: sigma/tests)')
    .action((options: { rules?: string[]; tests?: string[] }) => {
      const results = runRuleTests({ rules: options.rules, tests: options.tests });
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
    .description('run rules over events (canonical events, OTLP log records, or the collector file exporter JSON lines) and print each match')
    .requiredOption('-r, --rules <paths...>', 'rule files or folders')
    .requiredOption('-i, --input <files...>', 'event files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--domain <domain>', 'event.domain for canonical events that carry none')
    .option('--all', 'also report rules that only feed correlations')
    .action((options: { rules: string[]; input: string[]; format: 'text' | 'json'; domain?: string; all?: boolean }) => {
      const engine = SigmaEngine.fromPaths(options.rules, { domain: options.domain, emitAll: options.all });
      // Every bad line or event is reported (file:line: reason, on stderr) and left out; the others are matched.
      let bad = 0;
      const report = (message: string) => {
        bad++;
        console.error(message);
      };
      const events: { view: EventView; where: string }[] = [];
      for (const file of options.input) {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          report(`${file}: cannot be read (${(error as Error).message})`);
          continue;
        }
        const result = readEvents(text, file, options.domain);
        result.views.forEach((view, index) => events.push({ view, where: `${file}:${result.lines[index]}` }));
        for (const error of result.errors) report(error.message);
      }
      // As engine.run(), one event at a time, so an event the engine refuses (a correlation needs its time) is reported with its line.
      events.sort((a, b) => (a.view.time ?? 0) - (b.view.time ?? 0));
      const session = engine.session();
      const matches: SigmaMatch[] = [];
      let matched = 0;
      for (const { view, where } of events) {
        try {
          for (const match of session.push(view)) matches.push(match);
          matched++;
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          report(`${where}: ${error.message}`);
        }
      }
      if (options.format === 'json') {
        console.log(JSON.stringify(matches.map((m) => ({ rule: m.ruleId, title: m.title, level: m.level, kind: m.kind, events: m.eventIds, ...(m.group ? { group: m.group } : {}) })), null, 2));
      } else {
        for (const match of matches) console.log(formatMatch(match));
      }
      const badNote = bad > 0 ? `, ${bad} bad ${bad === 1 ? 'line or event' : 'lines or events'} left out (listed above); exit code 1` : '';
      if (options.format === 'text' || bad > 0) console.error(`${matched} events, ${matches.length} matches${badNote}`);
      if (bad > 0) process.exitCode = 1;
    });

  sigma
    .command('convert')
    .description('convert rules into SIEM queries with sigma-cli and the bundled pipeline for the target')
    .addOption(new Option('-t, --target <target>', 'where the audit events are stored').choices(Object.keys(loadTargets())).makeOptionMandatory())
    .argument('[paths...]', 'rule files or folders (default: the bundled sigma/rules)')
    .option('--domain <domain>', 'also require event.domain to equal this (your catalog domain)')
    .option('-p, --pipeline <files...>', 'more pySigma pipeline files, applied with the bundled one')
    .action(async (paths: string[], options: { target: string; domain?: string; pipeline?: string[] }) => {
      const result = await convertRules({ target: options.target, paths: paths.length ? paths : undefined, domain: options.domain, pipelines: options.pipeline });
      console.log(result.output);
      for (const skipped of result.notConverted) console.error(`not converted: ${display(skipped.file)}: ${skipped.reason}`);
    });
}
