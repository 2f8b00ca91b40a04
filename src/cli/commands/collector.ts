import type { Command } from 'commander';
import { provisionCollector } from '../../tools/collector-build.js';

export function registerCollectorCommands(program: Command): void {
  const collector = program.command('collector').description('render, validate and build the OpenTelemetry Collector');
  collector
    .command('build')
    .description('build the collector from collector/builder-config.yaml with ocb (cached; needs Go)')
    .action(async () => {
      const binary = await provisionCollector({ log: (line) => console.error(line) });
      console.log(binary);
    });
}
