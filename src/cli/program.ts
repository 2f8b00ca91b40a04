import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { packageRoot } from '../package-root.js';
import { registerCatalogCommands } from './commands/catalog.js';
import { registerCollectorCommands } from './commands/collector.js';
import { registerDeliveryCommands } from './commands/delivery.js';
import { registerDemoCommands } from './commands/demo.js';
import { registerSigmaCommands } from './commands/sigma.js';
import { registerKeygenCommand } from './commands/keygen.js';
import { registerVerifyCommand } from './commands/verify.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The whole command tree; exported so tests can run it in-process. */
export function buildProgram(): Command {
  const program = new Command('otel-audit')
    .description('Audit events on OpenTelemetry: emit them, route them to SIEMs, detect with Sigma.')
    .version(packageVersion(), '-V, --version', 'print the otel-audit version')
    .showHelpAfterError()
    .showSuggestionAfterError();
  registerCatalogCommands(program);
  registerCollectorCommands(program);
  registerSigmaCommands(program);
  registerDeliveryCommands(program);
  registerVerifyCommand(program);
  registerKeygenCommand(program);
  registerDemoCommands(program);
  return program;
}
