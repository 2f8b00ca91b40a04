import type { Command } from 'commander';
import { enableTarget, listDeliveries, readTargetStates, sendWebhookTest } from '../../delivery/index.js';
import { OtelAuditError } from '../../errors.js';
import { oneLine, printableText } from '../../delivery/printable.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseHeaders(pairs: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new OtelAuditError('OPTION_INVALID', `--header ${JSON.stringify(pair)} must be name=value`);
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return headers;
}

/** `otel-audit webhook test` and `otel-audit deliveries list|enable` (docs/delivery.md). */
/** `--timeout <ms>`: a whole number of milliseconds that Node's timers can hold, said in the flag's own name. */
function timeoutOption(text: string): number {
  const ms = Number(text);
  if (!/^\d+$/.test(text.trim()) || !(ms > 0 && ms <= 0xffff_ffff)) throw new OtelAuditError('OPTION_INVALID', `--timeout ${JSON.stringify(text)} must be a whole number of milliseconds from 1 to 4294967295`, { path: '--timeout' });
  return ms;
}

export function registerDeliveryCommands(program: Command): void {
  const webhook = program.command('webhook').description('webhook destinations');
  webhook
    .command('test')
    .description('send a signed test event to a webhook URL and report the response')
    .argument('<url>', 'the webhook endpoint')
    .option('--secret <secret>', 'HMAC secret; give twice (current, previous) to test a rotation', collect, [])
    .option('--token <token>', 'verification token sent as X-Audit-Verification-Token')
    .option('--header <name=value>', 'extra header (repeatable)', collect, [])
    .option('--batch', 'send the event inside a JSON array, as batched delivery does')
    .option('--timeout <ms>', 'request timeout in milliseconds', '10000')
    .action(async (url: string, options: { secret: string[]; token?: string; header: string[]; batch?: boolean; timeout: string }) => {
      const result = await sendWebhookTest({
        url,
        headers: parseHeaders(options.header),
        verificationToken: options.token,
        hmac: options.secret.length > 0 ? { secrets: options.secret } : undefined,
        batch: options.batch ?? false,
        timeoutMillis: timeoutOption(options.timeout),
      });
      process.stdout.write(`${result.ok ? 'OK' : 'FAILED'} ${result.status} in ${Math.round(result.ms)} ms (event ${String(result.event.id)})\n`);
      // The receiver's answer, with its control characters escaped: it may hold terminal escape sequences.
      if (result.body) process.stdout.write(`${printableText(result.body.slice(0, 2000))}\n`);
      if (!result.ok) process.exitCode = 1;
    });

  const deliveries = program.command('deliveries').description('delivery failures and delivery target state recorded in a spool directory');
  deliveries
    .command('list')
    .description('list delivery failures, recoveries, drops and auto-disabled delivery targets')
    .requiredOption('--dir <spool>', 'the spool directory')
    .option('--failed', 'only failures, drops and auto-disables')
    .option('--since <duration>', 'only entries newer than this, e.g. 30d, 12h, 15m')
    .option('--json', 'print JSON')
    .action((options: { dir: string; failed?: boolean; since?: string; json?: boolean }) => {
      const entries = listDeliveries(options.dir, { failed: options.failed, since: options.since });
      const targets = readTargetStates(options.dir);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ targets, entries }, null, 2)}\n`);
        return;
      }
      for (const [name, state] of Object.entries(targets)) {
        process.stdout.write(oneLine(`target ${name}: ${state.disabled ? `DISABLED since ${state.disabledAt ?? '?'} (${state.reason ?? ''})` : 'enabled'}, ${state.consecutiveFailures} consecutive failures`) + '\n');
      }
      if (entries.length === 0) process.stdout.write('no delivery entries\n');
      for (const e of entries) {
        const details = [e.records !== undefined ? `${e.records} records` : '', e.attempt !== undefined ? `attempt ${e.attempt}` : '', e.status !== undefined ? `HTTP ${e.status}` : '', e.retryInMillis !== undefined ? `retry in ${e.retryInMillis} ms` : ''].filter(Boolean).join(', ');
        // One line per entry whatever a receiver answered (an error quotes its body).
        process.stdout.write(oneLine(`${e.time}  ${e.outcome.padEnd(9)}  ${e.target}  ${details}${e.error ? `  ${e.error}` : ''}`) + '\n');
      }
    });
  deliveries
    .command('enable')
    .description('re-enable a delivery target (a webhook) that was auto-disabled after repeated failures')
    .requiredOption('--dir <spool>', 'the spool directory')
    .requiredOption('--target <name>', 'the delivery target as `deliveries list` shows it')
    .action((options: { dir: string; target: string }) => {
      enableTarget(options.dir, options.target);
      process.stdout.write(`enabled ${options.target}; a running spool resumes it at its next retry\n`);
    });
}
