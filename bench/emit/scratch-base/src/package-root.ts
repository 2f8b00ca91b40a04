// Where the package's own files are (schemas/, sigma/, collector/), from src/
// when run from source and from dist/ when installed.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OtelAuditError } from './errors.js';

let cached: string | undefined;

/** The package root (the folder holding package.json). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new OtelAuditError('INTERNAL', `otel-audit: cannot find the package root from ${import.meta.url}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
