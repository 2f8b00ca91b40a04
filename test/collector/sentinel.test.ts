// The sentinel destination and the Sigma pipeline for Sentinel must agree on
// where the records land: the table, its columns, the DCR transformation and
// the stream. Reads sigma/pipelines/sentinel.yml, docs/sigma.md and
// docs/destinations/sentinel.md; nothing is copied into this test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCollectorConfig, parseDestinations } from '../../src/collector/index.js';
import { root } from './examples.js';

interface Pipeline {
  transformations: { id: string; type: string; mapping?: Record<string, string> }[];
  postprocessing: { type: string; prefix?: string }[];
}
const pipeline = parse(readFileSync(join(root, 'sigma', 'pipelines', 'sentinel.yml'), 'utf8')) as Pipeline;
const sentinelDoc = readFileSync(join(root, 'docs', 'destinations', 'sentinel.md'), 'utf8');
const sigmaDoc = readFileSync(join(root, 'docs', 'sigma.md'), 'utf8');

/** The table every converted query starts with: the pipeline's `embed` prefix, `OtelAudit_CL\n| where `. */
function queriedTable(): string {
  const embed = pipeline.postprocessing.find((p) => p.type === 'embed');
  const table = /^(\w+)\s*\n/.exec(embed?.prefix ?? '')?.[1];
  if (!table) throw new Error('sigma/pipelines/sentinel.yml: postprocessing has no embed prefix starting with a table name');
  return table;
}

function block(markdown: string, lang: string): string {
  const found = new RegExp('^( *)```' + lang + '\\n([\\s\\S]*?)^\\1```', 'm').exec(markdown);
  if (!found) throw new Error(`no \`\`\`${lang} block`);
  return found[2]!.split('\n').map((line) => line.slice(found[1]!.length)).join('\n').trim();
}

describe('the sentinel destination and the Sigma pipeline for Sentinel', () => {
  const table = queriedTable();

  it('name one table: the docs set up the table the converted queries read', () => {
    const tables = new Set(sentinelDoc.match(/\b\w+_CL\b/g));
    expect([...tables]).toEqual([table]);
    expect(sentinelDoc).toContain(`--name ${table} `);
    const dcr = JSON.parse(block(sentinelDoc, 'json')) as { properties: { dataFlows: { outputStream: string; streams: string[] }[] } };
    expect(dcr.properties.dataFlows[0]!.outputStream).toBe(`Custom-${table}`);
    expect(sigmaDoc).toContain(`The Sentinel table \`${table}\``);
  });

  it('create every column the pipeline maps to, plus TimeGenerated and AuditData', () => {
    const created = [...block(sentinelDoc, 'sh').matchAll(/(\w+)=(string|datetime|dynamic)/g)].map((m) => m[1]);
    const mapped = new Set(Object.values(pipeline.transformations.find((t) => t.type === 'field_name_mapping')!.mapping!));
    expect(new Set(created)).toEqual(new Set(['TimeGenerated', ...mapped, 'AuditData']));
  });

  it('use the transformation of docs/sigma.md, which fills every mapped column', () => {
    const kql = block(sentinelDoc, 'kusto');
    expect(kql).toBe(block(sigmaDoc, 'kusto'));
    for (const column of Object.values(pipeline.transformations.find((t) => t.type === 'field_name_mapping')!.mapping!)) {
      expect(kql).toMatch(new RegExp(`\\b${column} = `));
    }
    expect(sentinelDoc).toContain('](../sigma.md#the-sentinel-table-otelaudit_cl)');
  });

  it('feed the DCR data flow from the stream the rendered exporter posts to (the default stream)', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schemas', 'destinations.schema.json'), 'utf8')) as { $defs: { sentinel: { properties: { stream: { default: string } } } } };
    const stream = schema.$defs.sentinel.properties.stream.default;
    const dcr = JSON.parse(block(sentinelDoc, 'json')) as { properties: { dataFlows: { streams: string[] }[] } };
    expect(dcr.properties.dataFlows[0]!.streams).toEqual([stream]);
    const file = join(root, 'collector', 'examples', 'sentinel.yaml');
    const { config } = buildCollectorConfig(parseDestinations(readFileSync(file, 'utf8'), file));
    const exporter = config.exporters['otlphttp/sentinel'] as { logs_endpoint: string };
    expect(exporter.logs_endpoint).toMatch(new RegExp(`/datacollectionRules/dcr-[0-9a-f]{32}/streams/${stream}/otlp/v1/logs$`));
  });
});
