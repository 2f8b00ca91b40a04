import type { Command } from 'commander';

/** `otel-audit catalog check|docs` (the emit issue). */
export function registerCatalogCommands(program: Command): void {
  program.command('catalog').description('check a catalog for breaking changes and document it');
}
