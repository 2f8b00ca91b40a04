import { refuseToClobber, writeOutput } from '../output.js';
import type { Command } from 'commander';
import { catalogToMarkdown, diffCatalogs, loadCatalog } from '../../index.js';

/** `otel-audit catalog check|docs` (the emit issue). */
export function registerCatalogCommands(program: Command): void {
  const catalog = program.command('catalog').description('check a catalog for breaking changes and document it');

  catalog
    .command('check')
    .description('compare a catalog with a previous version; exit 1 on a breaking change (a CI gate for SIEM rules)')
    .argument('<catalog>', 'the new catalog (YAML or JSON)')
    .requiredOption('--against <previous>', 'the previous catalog, e.g. from the main branch')
    .action((file: string, options: { against: string }) => {
      const diff = diffCatalogs(loadCatalog(file).definition, loadCatalog(options.against).definition);
      for (const change of diff.breaking) console.log(`BREAKING ${change.kind}: ${change.message}`);
      for (const change of diff.nonBreaking) console.log(`ok ${change.kind}: ${change.message}`);
      if (diff.breaking.length > 0) {
        console.error(`${diff.breaking.length} breaking change(s) in ${file} against ${options.against}`);
        process.exitCode = 1;
      } else {
        console.log(`no breaking changes in ${file} against ${options.against}`);
      }
    });

  catalog
    .command('docs')
    .description('write Markdown documenting every event of a catalog, for detection engineers')
    .argument('<catalog>', 'the catalog (YAML or JSON)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action((file: string, options: { output?: string }) => {
      refuseToClobber(options.output, file, 'the catalog');
      writeOutput(options.output, catalogToMarkdown(loadCatalog(file).definition));
    });
}
