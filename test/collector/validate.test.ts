// The collector's own `validate` accepts every rendering (config, and the
// config inside Helm values and the operator resource), and a config it refuses
// is reported against the destination that caused it.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { buildCollectorConfig, ToolUnavailableError, parseDestinations, renderCollectorConfig, validateConfigWithCollector, validateWithCollector, type Destination, type DestinationsSpec } from '../../src/collector/index.js';
import { findCollectorBinary } from '../../src/collector/validate.js';
import { helmConfigPart } from '../../src/collector/packaging.js';
import { withDefaults } from '../../src/collector/spec.js';
import { buildProgram } from '../../src/cli/program.js';
import { collectorBinary } from '../harness/collector.js';
import { exampleNames, root } from './examples.js';

const binary = () => collectorBinary();
const example = (name: string) => parseDestinations(readFileSync(join(root, 'collector', 'examples', `${name}.yaml`), 'utf8'), `collector/examples/${name}.yaml`);

/** Every destination of every example in one spec (names made unique). */
function allTypes(): DestinationsSpec {
  const destinations: Destination[] = exampleNames().flatMap((name) => example(name).destinations.map((d) => ({ ...d, name: `${name}-${d.name}`.slice(0, 63) })));
  return withDefaults({ domain: 'acme.audit', destinations });
}

describe('collector validate', () => {
  it.each(exampleNames())('accepts the rendering of collector/examples/%s.yaml', async (name) => {
    const result = await validateWithCollector(example(name), { binary: binary() });
    expect(result.ok, result.output).toBe(true);
  });

  it('accepts every destination type together, as config, Helm values and operator resource', async () => {
    const spec = allTypes();
    expect(new Set(spec.destinations.map((d) => d.type)).size).toBe(13);
    const config = await validateWithCollector(spec, { binary: binary() });
    expect(config.ok, config.output).toBe(true);
    const helm = parse(renderCollectorConfig(spec, { format: 'helm' })) as Record<string, unknown>;
    const helmResult = await validateConfigWithCollector(helmConfigPart(helm), new Map(), { binary: binary() });
    expect(helmResult.ok, helmResult.output).toBe(true);
    const operator = parse(renderCollectorConfig(spec, { format: 'operator' })) as { spec: { config: unknown } };
    const operatorResult = await validateConfigWithCollector(operator.spec.config, new Map(), { binary: binary() });
    expect(operatorResult.ok, operatorResult.output).toBe(true);
  });

  it("reports the collector's error against the destination that caused it", async () => {
    // The schema does not know the exporter's placeholder list for log group names.
    const spec = withDefaults({
      domain: 'acme.audit',
      destinations: [
        { name: 'archive', type: 'file', path: '/tmp/otel-audit-archive.jsonl' },
        { name: 'cw', type: 'awscloudwatchlogs', region: 'eu-west-1', logGroup: '/acme/{Tenant}', logStream: 'audit' },
      ],
    });
    const result = await validateWithCollector(spec, { binary: binary() });
    expect(result.ok).toBe(false);
    expect(result.destination).toBe('cw');
    expect(result.component).toBe('awscloudwatchlogs/cw');
    expect(result.error).toBe("exporters::awscloudwatchlogs/cw: 'log_group_name' has an invalid pattern between curly brackets: Tenant");
  });

  it('`otel-audit collector validate` prints the verdict and sets the exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-cli-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, readFileSync(join(root, 'collector', 'examples', 'splunk_hec.yaml')));
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    const previous = { bin: process.env.OTELCOL_BIN, exitCode: process.exitCode };
    try {
      process.env.OTELCOL_BIN = binary();
      await buildProgram().parseAsync(['node', 'otel-audit', 'collector', 'validate', '-f', good]);
      expect(lines.pop()).toBe(`${good}: valid (checked by ${binary()})`);
      expect(process.exitCode ?? 0).toBe(0);
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'domain: acme.audit\ndestinations:\n  - name: cw\n    type: awscloudwatchlogs\n    region: eu-west-1\n    logGroup: /acme/{Tenant}\n    logStream: audit\n');
      await buildProgram().parseAsync(['node', 'otel-audit', 'collector', 'validate', '-f', bad]);
      expect(lines.pop()).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the collector refused destination "cw" \\(awscloudwatchlogs/cw\\): .*invalid pattern between curly brackets: Tenant$`));
      expect(process.exitCode).toBe(1);
    } finally {
      log.mockRestore();
      error.mockRestore();
      process.exitCode = previous.exitCode;
      if (previous.bin === undefined) delete process.env.OTELCOL_BIN;
      else process.env.OTELCOL_BIN = previous.bin;
    }
  });

  it('validates the config helpers render (sanity: the built object equals the YAML)', () => {
    const spec = example('reference');
    expect(parse(renderCollectorConfig(spec))).toEqual(JSON.parse(JSON.stringify(buildCollectorConfig(spec).config)));
  });
});

describe('findCollectorBinary', () => {
  it('takes OTELCOL_BIN, then otelcol-contrib or otelcol on PATH, then the cached build, and says how to get one', () => {
    const empty = mkdtempSync(join(tmpdir(), 'otel-audit-nobin-'));
    const env = { PATH: empty, OTEL_AUDIT_CACHE: empty };
    expect(() => findCollectorBinary(env)).toThrow(ToolUnavailableError);
    expect(() => findCollectorBinary(env)).toThrow(/How to fix: run `otel-audit collector build`.*or set OTELCOL_BIN/);
    expect(() => findCollectorBinary({ ...env, OTELCOL_BIN: join(empty, 'nope') })).toThrow(/OTELCOL_BIN=.*nope is not an executable file/);
    const onPath = join(empty, 'otelcol');
    writeFileSync(onPath, '#!/bin/sh\n');
    chmodSync(onPath, 0o755);
    expect(findCollectorBinary(env)).toBe(onPath);
    expect(findCollectorBinary({ ...env, OTELCOL_BIN: binary() })).toBe(binary());
  });
});
