import type { Command } from 'commander';
import { formatReport, runDemo } from '../../demo/index.js';

/** `otel-audit demo` (the end-to-end issue). */
export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('run the end-to-end demo: collector, emitter, Splunk HEC receiver and the Sigma pack')
    .option('--keep', 'keep the scratch folder (rendered config, delivered files, collector log)')
    .option('--json', 'print the report as JSON')
    .option('--day <file>', 'a scripted day of your own, in the format of src/demo/day.yaml')
    .action(async (options: { keep?: boolean; json?: boolean; day?: string }) => {
      const report = await runDemo({ keep: options.keep, dayFile: options.day });
      process.stdout.write((options.json ? JSON.stringify(report, null, 2) : formatReport(report)) + '\n');
      if (!report.ok) process.exitCode = 1;
    });
}
