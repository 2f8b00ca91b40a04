import { Option, type Command } from 'commander';
import { provisionCollector } from '../../tools/collector-build.js';
import { refuseToClobber, writeOutput } from '../output.js';
import { buildCollectorConfig } from '../../collector/render.js';
import { composeWarnings, renderCompose } from '../../collector/compose.js';
import { formatSetupReport, loadDestinations, OUTPUT_FORMATS, packagingWarnings, renderCollectorConfig, setupDestinations, validateWithCollector, type OutputFormat } from '../../collector/index.js';

export function registerCollectorCommands(program: Command): void {
  const collector = program.command('collector').description('render, validate and build the OpenTelemetry Collector');

  collector
    .command('render')
    .description('render a destinations file (audit-collector.yaml) into a collector config, Helm values or an OpenTelemetryCollector resource')
    .requiredOption('-f, --file <file>', 'the destinations file')
    .option('-o, --output <file>', 'write here instead of stdout')
    .addOption(new Option('--format <format>', 'what to write').choices([...OUTPUT_FORMATS, 'compose']).default('config'))
    .option('--config-file <path>', 'compose: the rendered collector config the compose file mounts, relative to it', './collector-config.yaml')
    .option('--publish <address>', 'compose: the host address the ports are published on', '127.0.0.1')
    .action((options: { file: string; output?: string; format: OutputFormat | 'compose'; configFile: string; publish: string }) => {
      refuseToClobber(options.output, options.file, 'the destinations file');
      const spec = loadDestinations(options.file);
      for (const warning of packagingWarnings(spec, options.format === 'compose' ? 'config' : options.format)) console.error(`warning: ${warning}`);
      let yaml: string;
      if (options.format === 'compose') {
        for (const warning of composeWarnings(buildCollectorConfig(spec))) console.error(`warning: ${warning}`);
        yaml = renderCompose(spec, { configFile: options.configFile, publish: options.publish });
      } else yaml = renderCollectorConfig(spec, { format: options.format });
      writeOutput(options.output, yaml);
    });

  collector
    .command('validate')
    .description("render a destinations file and check the result with the collector's own `validate` (placeholder values for referenced env vars)")
    .requiredOption('-f, --file <file>', 'the destinations file')
    .action(async (options: { file: string }) => {
      const result = await validateWithCollector(loadDestinations(options.file));
      if (result.ok) {
        console.log(`${options.file}: valid (checked by ${result.binary})`);
        return;
      }
      const who = result.destination ? `destination "${result.destination}" (${result.component})` : result.setting ? `the setting ${result.setting}` : 'the rendered config';
      console.error(`${options.file}: the collector refused ${who}: ${result.error}`);
      process.exitCode = 1;
    });

  collector
    .command('setup')
    .description("create what each destination needs on its server before the collector writes there (an OpenSearch index template; the steps for the other types are printed)")
    .requiredOption('-f, --file <file>', 'the destinations file')
    .option('--dry-run', 'print the requests and steps; send nothing')
    .action(async (options: { file: string; dryRun?: boolean }) => {
      const report = await setupDestinations(loadDestinations(options.file), { dryRun: options.dryRun === true });
      process.stdout.write(formatSetupReport(report));
    });

  collector
    .command('build')
    .description('build the collector from collector/builder-config.yaml with ocb (cached; needs Go)')
    .action(async () => {
      const binary = await provisionCollector({ log: (line) => console.error(line) });
      console.log(binary);
    });
}
