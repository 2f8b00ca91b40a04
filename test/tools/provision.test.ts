// The tool cache: keyed by manifest content, reused when unchanged, and a
// missing toolchain fails with a message that says how to get it.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builderManifestPath, collectorBuildBinary, contentKey, sigmaVenvDir, sigmaRequirementsPath } from '../../src/tools/cache.js';
import { builderVersion, provisionCollector } from '../../src/tools/collector-build.js';
import { provisionSigmaCli } from '../../src/tools/sigma-venv.js';
import { ToolUnavailableError } from '../../src/tools/errors.js';
import { readFileSync } from 'node:fs';

const scratch = () => mkdtempSync(join(tmpdir(), 'otel-audit-tools-'));

describe('tool cache', () => {
  it('keys the collector build by the manifest content', () => {
    const dir = scratch();
    const manifest = join(dir, 'builder-config.yaml');
    copyFileSync(builderManifestPath(), manifest);
    const env = { OTEL_AUDIT_CACHE: join(dir, 'cache') };
    const before = collectorBuildBinary(env, manifest);
    expect(collectorBuildBinary(env, manifest)).toBe(before);
    appendFileSync(manifest, '\n# a changed manifest\n');
    expect(collectorBuildBinary(env, manifest)).not.toBe(before);
    expect(before.startsWith(join(dir, 'cache', 'collector'))).toBe(true);
  });

  it('keys the sigma-cli environment by the requirements content', () => {
    const dir = scratch();
    const requirements = join(dir, 'requirements.txt');
    copyFileSync(sigmaRequirementsPath(), requirements);
    const key = contentKey(requirements);
    appendFileSync(requirements, 'pyyaml==6.0.3\n');
    expect(contentKey(requirements)).not.toBe(key);
    expect(sigmaVenvDir({ OTEL_AUDIT_CACHE: dir }, requirements)).toBe(join(dir, 'sigma-venv', contentKey(requirements)));
  });

  it('takes the builder version from the manifest core modules', () => {
    expect(builderVersion(readFileSync(builderManifestPath(), 'utf8'))).toMatch(/^v0\.\d+\.\d+$/);
  });

  it('reuses a cached collector without building it again', async () => {
    const env = { ...process.env, OTEL_AUDIT_CACHE: scratch(), OTELCOL_BIN: '' };
    const binary = collectorBuildBinary(env);
    mkdirSync(dirname(binary), { recursive: true });
    writeFileSync(binary, '#!/bin/sh\necho cached\n');
    chmodSync(binary, 0o755);
    const lines: string[] = [];
    await expect(provisionCollector({ env, log: (l) => lines.push(l) })).resolves.toBe(binary);
    expect(lines.join('\n')).toMatch(/reusing cached build/);
  });

  it('fails with how to get Go when the toolchain is missing', async () => {
    const env = { OTEL_AUDIT_CACHE: scratch(), PATH: scratch(), HOME: scratch() };
    const attempt = provisionCollector({ env, log: () => undefined });
    await expect(attempt).rejects.toBeInstanceOf(ToolUnavailableError);
    await expect(attempt).rejects.toThrow(/install Go 1\.24 or newer.*OTELCOL_BIN/s);
  });

  it('refuses an OTELCOL_BIN that is not executable', async () => {
    const env = { OTEL_AUDIT_CACHE: scratch(), OTELCOL_BIN: '/nonexistent/otelcol-contrib' };
    await expect(provisionCollector({ env, log: () => undefined })).rejects.toThrow(/OTELCOL_BIN=\/nonexistent\/otelcol-contrib is not an executable/);
  });

  it('fails with how to get Python when it is missing', async () => {
    const env = { OTEL_AUDIT_CACHE: scratch(), PATH: scratch(), PYTHON: 'python3-that-does-not-exist' };
    await expect(provisionSigmaCli({ env, log: () => undefined })).rejects.toThrow(/python3-venv/);
  });
});
