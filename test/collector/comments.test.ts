// The rendered YAML explains its non-obvious settings in comments, and the
// comments change no value (the real collector's validate of the goldens is in
// validate.test.ts; helm.test.ts runs the chart on the commented values).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCollectorConfig, parseDestinations, renderCollectorConfig } from '../../src/collector/index.js';
import { collectorContract } from '../../src/collector/contract.js';
import { exampleNames, root } from './examples.js';

const load = (name: string) => parseDestinations(readFileSync(join(root, `collector/examples/${name}.yaml`), 'utf8'), `collector/examples/${name}.yaml`);

describe.each(exampleNames())('comments in the rendering of %s', (name) => {
  const spec = load(name);
  const config = buildCollectorConfig(spec).config;
  const text = renderCollectorConfig(spec);

  it('change no value', () => {
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(config)));
  });

  it('explain the memory limiter, the redaction patterns and the error_mode of every filter', () => {
    expect(text).toMatch(/# First in every pipeline: above limit_mib/);
    expect(text).toMatch(/# Secrets inside free text/);
    for (const pattern of collectorContract().sensitiveValuePatternNames) expect(text).toMatch(new RegExp(` # ${pattern}\\n`));
    const filters = Object.entries(config.processors).filter(([id, p]) => id.startsWith('filter/') && (p as { error_mode?: string }).error_mode === 'ignore').length;
    expect(text.match(/# error_mode: ignore: a condition that fails to evaluate/g)?.length).toBe(filters);
    const transforms = Object.entries(config.processors).filter(([id, p]) => id.startsWith('transform/') && (p as { error_mode?: string }).error_mode === 'ignore').length;
    expect(text.match(/# error_mode: ignore: a statement that fails/g)?.length ?? 0).toBe(transforms);
  });

  it('explain the queue and a max_elapsed_time of 0s on every exporter that has them', () => {
    const exporters = Object.values(config.exporters) as { sending_queue?: unknown; retry_on_failure?: { max_elapsed_time?: string } }[];
    expect(text.match(/# Persistent queue \(file_storage\)/g)?.length ?? 0).toBe(exporters.filter((e) => e.sending_queue).length);
    expect(text.match(/max_elapsed_time: 0s # retry for ever/g)?.length ?? 0).toBe(exporters.filter((e) => e.retry_on_failure?.max_elapsed_time === '0s').length);
  });

  it('are carried into the Helm values and the operator resource, under their config', () => {
    for (const format of ['helm', 'operator'] as const) {
      const rendered = renderCollectorConfig(spec, { format });
      expect(rendered).toMatch(/\n {4,}# First in every pipeline/);
      expect(rendered).toMatch(/# error_mode: ignore/);
    }
  });
});
