#!/usr/bin/env node
// The `otel-audit` binary. Wiring only: every command calls a library function.
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`otel-audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
