import type { Command } from 'commander';

/** `otel-audit demo` (the end-to-end issue). */
export function registerDemoCommands(program: Command): void {
  program.command('demo').description('run the end-to-end demo: collector, emitter, Splunk HEC receiver and the Sigma pack');
}
