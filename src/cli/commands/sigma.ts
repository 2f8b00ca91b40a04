import type { Command } from 'commander';
import { provisionSigmaCli } from '../../tools/sigma-venv.js';

export function registerSigmaCommands(program: Command): void {
  const sigma = program.command('sigma').description('check, test, match and convert the Sigma rule pack');
  sigma
    .command('setup')
    .description('install sigma-cli and the pySigma backends into a cached virtual environment (needs Python 3.9+)')
    .action(async () => {
      const binary = await provisionSigmaCli({ log: (line) => console.error(line) });
      console.log(binary);
    });
}
