// Where otel-audit keeps the tools it builds (the collector, the sigma-cli
// virtual environment): outside the repository, keyed by the content of the
// file that describes each tool, so a changed manifest rebuilds and an
// unchanged one is reused.
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../package-root.js';

/** `$OTEL_AUDIT_CACHE`, else `$XDG_CACHE_HOME/otel-audit`, else `~/.cache/otel-audit`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OTEL_AUDIT_CACHE) return resolve(env.OTEL_AUDIT_CACHE);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'otel-audit');
}

/** The first 16 hex digits of the SHA-256 of a file's content. */
export function contentKey(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
}

export const COLLECTOR_BINARY_NAME = 'otelcol-audit';

export function builderManifestPath(root = packageRoot()): string {
  return join(root, 'collector', 'builder-config.yaml');
}

export function sigmaRequirementsPath(root = packageRoot()): string {
  return join(root, 'sigma', 'requirements.txt');
}

/** The folder the collector built from the current manifest lives in. */
export function collectorBuildDir(env: NodeJS.ProcessEnv = process.env, manifest = builderManifestPath()): string {
  return join(cacheRoot(env), 'collector', contentKey(manifest));
}

export function collectorBuildBinary(env: NodeJS.ProcessEnv = process.env, manifest = builderManifestPath()): string {
  return join(collectorBuildDir(env, manifest), COLLECTOR_BINARY_NAME);
}

/** The virtual environment made from the current sigma/requirements.txt. */
export function sigmaVenvDir(env: NodeJS.ProcessEnv = process.env, requirements = sigmaRequirementsPath()): string {
  return join(cacheRoot(env), 'sigma-venv', contentKey(requirements));
}

export function sigmaCliBinary(env: NodeJS.ProcessEnv = process.env, requirements = sigmaRequirementsPath()): string {
  return join(sigmaVenvDir(env, requirements), 'bin', 'sigma');
}

/** True when `file` exists and this process may run it. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
