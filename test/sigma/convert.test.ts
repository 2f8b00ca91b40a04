// Every rule converts with the real sigma-cli and the bundled pipeline for
// every target; correlations where the backend supports them. The outputs are
// checked for the field layout each destination stores.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { convertRules, defaultRulesPath, loadSigmaDocuments, loadTargets, ToolUnavailableError } from '../../src/sigma/index.js';
import { listYamlFiles } from '../../src/sigma/parse.js';
import { packageRoot } from '../../src/package-root.js';
import { sigma } from '../harness/sigma.js';

const rulesDir = defaultRulesPath();
const files = listYamlFiles([rulesDir]);
const documents = loadSigmaDocuments([rulesDir]);
const correlationFiles = files.filter((f) => basename(f).startsWith('mr_'));
const detectionFiles = files.filter((f) => !basename(f).startsWith('mr_'));
const orderedFiles = documents.filter((d) => d.kind === 'correlation' && d.rule.correlation.type === 'temporal_ordered').map((d) => d.source.file);
const pipelines = join(packageRoot(), 'sigma', 'pipelines');
const contract = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'contract.json'), 'utf8')) as { fields: { attribute?: string; alsoAttributes?: string[] }[] };
const contractAttributes = contract.fields.flatMap((f) => [f.attribute, ...(f.alsoAttributes ?? [])]).filter((a): a is string => a !== undefined);

/** Queries are separated by blank lines in sigma-cli's default output. */
const queries = (output: string) => output.split(/\n\s*\n/).map((q) => q.trim()).filter(Boolean);

const expectations: Record<string, { sample: RegExp; correlation?: RegExp; forbidden?: RegExp }> = {
  splunk: { sample: /^event\.name="audit\.stream\.delete"/m, correlation: /\| stats count as event_count by _time user\.id/ },
  opensearch: { sample: /^event\.name:audit\.stream\.delete$/m, correlation: /`event\.name`="auth\.login".*stats count\(\) as event_count by user\.id/ },
  elasticsearch: { sample: /^attributes\.event\.name:audit\.stream\.delete$/m, correlation: /stats event_count=count\(\) by timebucket, attributes\.user\.id/ },
  sentinel: { sample: /^OtelAudit_CL\n\| where EventName =~ "audit\.stream\.delete"$/m, forbidden: /'(AUDITDATA:|[a-z_]+\.[a-z_.]+)'/ },
  appinsights: { sample: /^AppTraces\n\| where tostring\(Properties\["event\.name"\]\) =~ "audit\.stream\.delete"$/m, forbidden: /'PROPS:/ },
  loki: { sample: /\| json \| event_name=~`\(\?i\)\^audit\\\.stream\\\.delete\$`/, correlation: /sum by \(user_id\) \(count_over_time\(/ },
};

describe.each(Object.entries(loadTargets()))('sigma convert -t %s', (target, spec) => {
  it(`converts every rule with ${spec.backend}${spec.correlationBackend ? ` and correlations with ${spec.correlationBackend}` : ''}`, async () => {
    const result = await convertRules({ target });
    const expected = expectations[target]!;
    expect(result.output).toMatch(expected.sample);
    if (expected.forbidden) expect(result.output).not.toMatch(expected.forbidden);
    const supported = spec.correlationBackend ? correlationFiles.filter((f) => !orderedFiles.includes(f)) : [];
    expect(result.converted.sort()).toEqual([...detectionFiles, ...supported].sort());
    expect(result.notConverted.map((n) => n.file).sort()).toEqual(correlationFiles.filter((f) => !supported.includes(f)).sort());
    // One query per rule (the named rules inside mr_ files only feed their correlation).
    // (a correlation query may itself hold blank lines, hence at least)
    expect(queries(result.output).length).toBeGreaterThanOrEqual(detectionFiles.length + supported.length);
    if (expected.correlation) expect(result.output).toMatch(expected.correlation);
  });

  if (spec.correlationBackend) {
    it(`${spec.correlationBackend} cannot convert temporal_ordered correlations faithfully`, async () => {
      const run = await sigma(['convert', '-t', spec.correlationBackend!, '-p', join(pipelines, spec.pipeline), ...orderedFiles]);
      if (spec.correlationBackend === 'open_search_ppl') {
        // It converts, but into the query of an unordered temporal correlation.
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/\| stats dc\(EventID\) as unique_rules by span\(@timestamp, 1h\), user\.id \| where unique_rules >= 2/);
      } else {
        expect(run.code).not.toBe(0);
        expect(run.stdout + run.stderr).toMatch(/ordered|temporal_ordered/i);
      }
    });
  }
});

describe('pipelines', () => {
  it('the booleans workaround: Loki, Sentinel and Application Insights compare booleans as text', async () => {
    const rule = join(rulesDir, 'otel_audit_stream_disabled.yml');
    expect((await convertRules({ target: 'loki', paths: [rule] })).output).toContain('audit_data_changes_enabled_to=~`(?i)^false$`');
    expect((await convertRules({ target: 'sentinel', paths: [rule] })).output).toContain('tostring(AuditData["audit.data.changes.enabled.to"]) =~ "false"');
    expect((await convertRules({ target: 'appinsights', paths: [rule] })).output).toContain('tostring(Properties["audit.data.changes.enabled.to"]) =~ "false"');
  });

  it('numbers, null and exists reach the dynamic columns of the Kusto targets', async () => {
    const paths = ['otel_audit_large_data_export.yml', 'otel_audit_token_created_without_expiry.yml', 'otel_audit_stream_repointed.yml'].map((f) => join(rulesDir, f));
    const sentinel = (await convertRules({ target: 'sentinel', paths })).output;
    expect(sentinel).toContain('toreal(AuditData["audit.data.row_count"]) >= 100000');
    expect(sentinel).toContain('isnull(AuditData["audit.data.expires_in_days"])');
    expect(sentinel).toContain('isnotempty(AuditData["audit.data.changes.endpoint.to"])');
    const appinsights = (await convertRules({ target: 'appinsights', paths })).output;
    expect(appinsights).toContain('toreal(Properties["audit.data.row_count"]) >= 100000');
  });

  it('the Sentinel pipeline maps every contract attribute to a column documented in docs/sigma.md', () => {
    const pipeline = parse(readFileSync(join(pipelines, 'sentinel.yml'), 'utf8')) as { transformations: { id: string; mapping?: Record<string, string> }[] };
    const mapping = pipeline.transformations.find((t) => t.id === 'otel_audit_sentinel_columns')!.mapping!;
    expect(Object.keys(mapping).sort()).toEqual([...contractAttributes].sort());
    const docs = readFileSync(join(packageRoot(), 'docs', 'sigma.md'), 'utf8');
    for (const column of new Set(Object.values(mapping))) expect(docs, column).toContain(`\`${column}\``);
  });

  it('--domain adds the event.domain condition without editing the rules', async () => {
    const rule = [join(rulesDir, 'otel_audit_stream_deleted.yml')];
    expect((await convertRules({ target: 'splunk', paths: rule, domain: 'acme.audit' })).output).toMatch(/^event\.domain="acme\.audit" event\.name="audit\.stream\.delete"/m);
    expect((await convertRules({ target: 'sentinel', paths: rule, domain: 'acme.audit' })).output).toContain('EventDomain =~ "acme.audit" and EventName =~ "audit.stream.delete"');
  });

  it('every pipeline file starts with a header comment saying what it targets', () => {
    for (const spec of Object.values(loadTargets())) expect(readFileSync(join(pipelines, spec.pipeline), 'utf8')).toMatch(/^# Target: /);
  });

  it('says how to get sigma-cli when it is absent', async () => {
    const env = { ...process.env, OTEL_AUDIT_CACHE: mkdtempSync(join(tmpdir(), 'no-cache-')) };
    const error = await convertRules({ target: 'splunk', env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolUnavailableError);
    expect((error as Error).message).toMatch(/otel-audit sigma setup/);
  });
});
