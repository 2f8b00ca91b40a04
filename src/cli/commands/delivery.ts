import type { Command } from 'commander';

/** `otel-audit webhook test` and `otel-audit deliveries list` (the delivery issue). */
export function registerDeliveryCommands(program: Command): void {
  program.command('webhook').description('send a signed test event to a webhook destination');
  program.command('deliveries').description('list delivery failures recorded in a spool directory');
}
