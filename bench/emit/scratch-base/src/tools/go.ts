// The Go toolchain the collector and Helm are built with.
import { ToolUnavailableError } from './errors.js';
import { run } from './run.js';

/**
 * `go version`'s output; fails with instructions naming the tool that needs Go
 * and the variable that points at a ready binary instead (`OTELCOL_BIN=…`).
 */
export async function requireGo(env: NodeJS.ProcessEnv, tool: string, instead: string): Promise<string> {
  const check = await run('go', ['version'], { env }).catch(() => undefined);
  if (!check || check.code !== 0) {
    throw new ToolUnavailableError(tool, 'building it needs the Go toolchain, and `go version` did not run', `install Go 1.24 or newer (https://go.dev/doc/install) and run \`npm run provision\`, or set ${instead}`);
  }
  return check.stdout.trim();
}
