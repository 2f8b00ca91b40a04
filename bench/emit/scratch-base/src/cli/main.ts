#!/usr/bin/env node
// The `otel-audit` binary. Wiring only: every command calls a library function.
import { buildProgram } from './program.js';

// `otel-audit deliveries list | head`: the reader went away; stop quietly, as other CLIs do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`otel-audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
