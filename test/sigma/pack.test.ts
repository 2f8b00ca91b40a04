// The bundled rule pack: our check and the real `sigma check` pass, every rule
// has tests and they pass, the scenarios of the issue are covered, and the
// checks catch what they are meant to catch.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkPack, defaultRulesPath, loadSigmaDocuments, runRuleTests, untestedRules } from '../../src/sigma/index.js';
import { caseEvents } from '../../src/sigma/testing.js';
import { listYamlFiles } from '../../src/sigma/parse.js';
import { loadEventCatalog } from '../../src/sigma/catalog.js';
import { packageRoot } from '../../src/package-root.js';
import { sigma } from '../harness/sigma.js';

const rulesDir = defaultRulesPath();
const files = listYamlFiles([rulesDir]);
const documents = loadSigmaDocuments([rulesDir]);

describe('the bundled rule pack', () => {
  it('has at least 25 rules, with event_count, value_count and temporal correlations in mr_ files', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    const types = documents.filter((d) => d.kind === 'correlation').map((d) => (d.kind === 'correlation' ? d.rule.correlation.type : ''));
    expect(new Set(types)).toEqual(new Set(['event_count', 'value_count', 'temporal', 'temporal_ordered']));
    for (const doc of documents.filter((d) => d.kind === 'correlation')) expect(basename(doc.source.file)).toMatch(/^mr_otel_audit_/);
  });

  it('covers every scenario of the issue', () => {
    // scenario → the rule file that detects it
    const scenarios: Record<string, string> = {
      'audit stream deleted': 'otel_audit_stream_deleted.yml',
      'audit stream disabled': 'otel_audit_stream_disabled.yml',
      'audit stream repointed': 'otel_audit_stream_repointed.yml',
      'admin or owner role assigned': 'otel_audit_admin_role_assigned.yml',
      'MFA disabled': 'otel_audit_mfa_disabled.yml',
      'burst of failed logins': 'mr_otel_audit_login_failed_burst.yml',
      'one user from many IP addresses': 'mr_otel_audit_login_many_addresses.yml',
      'token created for another user': 'otel_audit_token_created_for_other_user.yml',
      'burst of secret reads': 'mr_otel_audit_secret_read_burst.yml',
      'mass export or download': 'mr_otel_audit_mass_download.yml',
      'mass deletion': 'mr_otel_audit_mass_deletion.yml',
      'fork by an outside user': 'otel_audit_repo_fork_by_outside_user.yml',
      'SSO changed': 'otel_audit_sso_configuration_changed.yml',
      'IP allowlist removed': 'otel_audit_ip_allowlist_removed.yml',
      'retention shortened': 'otel_audit_retention_shortened.yml',
    };
    const names = files.map((f) => basename(f));
    for (const [scenario, file] of Object.entries(scenarios)) expect(names, scenario).toContain(file);
    const valueCount = documents.find((d) => basename(d.source.file) === 'mr_otel_audit_login_many_addresses.yml' && d.kind === 'correlation');
    expect(valueCount?.kind === 'correlation' && valueCount.rule.correlation.type).toBe('value_count');
  });

  it('passes otel-audit sigma check (schemas, custom checks, conventions, catalog)', () => {
    const result = checkPack();
    expect(result.issues).toEqual([]);
    expect(result.files).toBe(files.length);
  });

  it('passes the real sigma check (network-bound ATT&CK validators excluded)', async () => {
    const result = await sigma(['check', '--fail-on-issues', '-x', 'attacktag', '-x', 'd3_fendtag', rulesDir]);
    expect(result.stdout + result.stderr).toMatch(/Found 0 errors, 0 condition errors and 0 issues/);
    expect(result.code).toBe(0);
  });

  it('tags use ATT&CK v19: audit-stream tampering is defense-impairment + t1685.*', () => {
    for (const doc of documents) expect(doc.rule.tags ?? [], doc.source.file).not.toContain('attack.defense-evasion');
    const tampering = documents.find((d) => basename(d.source.file) === 'otel_audit_stream_deleted.yml')!;
    expect(tampering.rule.tags).toEqual(expect.arrayContaining(['attack.defense-impairment', expect.stringMatching(/^attack\.t1685(\.\d{3})?$/)]));
  });

  it('has tests for every rule, and every test passes', () => {
    expect(untestedRules()).toEqual([]);
    const results = runRuleTests();
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.filter((r) => r.expected === 'match').length).toBeGreaterThanOrEqual(files.length);
    expect(results.filter((r) => r.expected === 'nomatch').length).toBeGreaterThanOrEqual(files.length);
  });

  it('a test that expects the wrong thing fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-tests-'));
    writeFileSync(join(dir, 'wrong.yml'), 'rule: otel_audit_stream_deleted.yml\nmatch:\n  - {name: audit.stream.create}\nnomatch:\n  - {name: audit.stream.delete}\n');
    const results = runRuleTests({ tests: [dir] });
    expect(results.map((r) => r.ok)).toEqual([false, false]);
  });
});

describe('the catalog', () => {
  const catalog = loadEventCatalog();
  it('loads with the src/event catalog loader (schemas/catalog.schema.json, data schemas compiled)', () => {
    expect(Object.keys(catalog.events).length).toBeGreaterThan(20);
  });
  it('defines every event name the pack tests use', () => {
    const names = new Set<string>();
    for (const file of listYamlFiles([join(packageRoot(), 'sigma', 'tests')])) {
      const spec = parse(readFileSync(file, 'utf8')) as { match: unknown[]; nomatch: unknown[] };
      for (const c of [...spec.match, ...spec.nomatch]) for (const e of caseEvents(c, file)) names.add(e.name.toLowerCase());
    }
    expect([...names].filter((n) => !(n in catalog.events))).toEqual([]);
  });
  it('reports an invalid catalog with the file and field path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-catalog-'));
    writeFileSync(join(dir, 'c.yaml'), 'domain: x.audit\nevents:\n  repo.fork: {severity: loud}\n');
    expect(() => loadEventCatalog(join(dir, 'c.yaml'))).toThrow(/c\.yaml: events\.repo\.fork\.description: is required/);
  });
});

describe('sigma check catches mistakes', () => {
  const good = readFileSync(join(rulesDir, 'otel_audit_stream_deleted.yml'), 'utf8');
  const check = (name: string, text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-check-'));
    writeFileSync(join(dir, name), text);
    return checkPack([dir], { packConventions: true }).issues.map((i) => `${i.path}: ${i.message}`);
  };
  it.each([
    ['a non-UUID id', good.replace(/^id: .*$/m, 'id: not-a-uuid'), /^id: does not match the Sigma schema: must match format "uuid"/],
    ['a tag dropped in ATT&CK v19', good.replace('attack.defense-impairment', 'attack.defense-evasion'), /^tags\[0\]: "attack.defense-evasion" is not in ATT&CK v19/],
    ['an unknown tactic', good.replace('attack.defense-impairment', 'attack.evil'), /^tags\[0\]: "attack.evil" is neither/],
    ['an event the catalog lacks', good.replace("'audit.stream.delete'", "'audit.stream.obliterate'"), /^detection.selection.event.name: event "audit.stream.obliterate" is not defined in the catalog/],
    ['a field outside the contract', good.replace("event.name: 'audit.stream.delete'", "event.name: 'audit.stream.delete'\n        actor.id: x"), /^detection.selection.actor.id: "actor.id" is not an attribute of schemas\/contract.json/],
    ['a hard-coded domain', good.replace("event.name: 'audit.stream.delete'", "event.name: 'audit.stream.delete'\n        event.domain: acme.audit"), /must not hard-code event.domain/],
    ['an empty logsource', good.replace(/logsource:\n {4}product: otel_audit\n {4}service: audit/, 'logsource: {}'), /^logsource: the log source is empty/],
    ['a description not starting with Detects', good.replace('description: Detects', 'description: Finds'), /^description: must start with "Detects"/],
    ['a condition naming nothing', good.replace('condition: selection', 'condition: selection and not filter'), /"filter", which is not a search identifier/],
  ])('%s', (_what, text, expected) => {
    expect(check('otel_audit_mistake_here.yml', text)).toContainEqual(expect.stringMatching(expected));
  });
  it('an unknown level is one error listing the levels, not one per level', () => {
    const issues = check('otel_audit_mistake_here.yml', good.replace(/^level: .*$/m, 'level: severe')).filter((issue) => issue.startsWith('level:'));
    expect(issues).toEqual(['level: does not match the Sigma schema: must be one of "informational", "low", "medium", "high", "critical"']);
  });
  it('a file name without the product prefix, and duplicate ids', () => {
    expect(check('stream_deleted_rule.yml', good)).toContainEqual(expect.stringMatching(/must start with otel_audit_/));
    const dir = mkdtempSync(join(tmpdir(), 'sigma-check-'));
    writeFileSync(join(dir, 'otel_audit_one_rule.yml'), good);
    writeFileSync(join(dir, 'otel_audit_two_rule.yml'), good);
    expect(checkPack([dir], { packConventions: true }).issues.map((i) => i.message)).toContainEqual(expect.stringMatching(/^duplicate id/));
  });
  it('correlation gaps of the schema: timespan format, value_count field, operators, references', () => {
    const corr = (body: string) => `title: C\nid: 5b0c1f7e-8f0a-4d0e-9c61-3e2f4a5b6c7d\nstatus: experimental\ndescription: Detects c\nreferences: [x]\nauthor: a\ndate: 2026-11-21\ntags: [attack.impact]\nfalsepositives: [x]\nlevel: low\ncorrelation:\n${body}`;
    const issues = check('mr_otel_audit_broken_corr.yml', corr('    type: value_count\n    rules: [missing_rule]\n    group-by: [user.id]\n    timespan: 1 hour\n    condition: {gte: 2, foo: 3}\n'));
    expect(issues).toEqual(expect.arrayContaining([
      expect.stringMatching(/^correlation.timespan: "1 hour" is not a timespan/),
      expect.stringMatching(/^correlation.condition.field: value_count needs condition.field/),
      expect.stringMatching(/^correlation.condition.foo: unknown condition operator/),
      expect.stringMatching(/^correlation.rules\[0\]: no rule or correlation among the checked files has the id or name "missing_rule"/),
    ]));
  });
});
