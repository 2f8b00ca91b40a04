// Every error class a user can meet extends OtelAuditError, carries a code
// listed in ERROR_CODES, and keeps its location fields. The class list is read
// from the sources, so a new error class that does not extend the root fails.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DestinationsError } from '../src/collector/errors.js';
import { SpoolFullError, SpoolLockedError, SpoolOptionError, SpoolWriteError } from '../src/delivery/durable/errors.js';
import { WebhookDeliveryError, WebhookDisabledError } from '../src/delivery/webhook/exporter.js';
import { ScenarioError } from '../src/demo/scenario.js';
import { ERROR_CODES, InputError, OtelAuditError } from '../src/errors.js';
import { AuditValidationError, CatalogError } from '../src/event/errors.js';
import { ConditionSyntaxError } from '../src/sigma/condition.js';
import { DetectionError } from '../src/sigma/detection.js';
import { parseSigmaText } from '../src/sigma/parse.js';
import { SigmaError } from '../src/sigma/types.js';
import { ToolUnavailableError } from '../src/tools/errors.js';
import { packageRoot } from '../src/package-root.js';

/** One instance of each class, as the code that throws it builds it. */
const samples: Record<string, OtelAuditError> = {
  AuditValidationError: new AuditValidationError('repo.fork', 'data.repo.id', 'is required'),
  CatalogError: new CatalogError('catalog.yaml', 'events.repo', 'needs a description'),
  DestinationsError: new DestinationsError([{ file: 'audit-collector.yaml', path: 'destinations[0].token', line: 7, column: 12, message: 'is a literal secret' }]),
  SpoolFullError: new SpoolFullError('/spool', 10, 5),
  SpoolWriteError: new SpoolWriteError('/spool', Object.assign(new Error('no space'), { code: 'ENOSPC' })),
  SpoolLockedError: new SpoolLockedError('/spool', 42),
  SpoolOptionError: new SpoolOptionError('maxBytes', 'must be positive'),
  WebhookDeliveryError: new WebhookDeliveryError('HTTP 500', 500, true),
  WebhookDisabledError: new WebhookDisabledError('https://hooks.example/audit', 'HTTP 410'),
  ConditionSyntaxError: new ConditionSyntaxError('unexpected end'),
  DetectionError: new DetectionError('detection.sel.field|bogus', 'unknown modifier "bogus"'),
  SigmaError: new SigmaError('rule.yml', 'detection', 'bad'),
  ToolUnavailableError: new ToolUnavailableError('sigma-cli', 'not installed', 'run npx otel-audit sigma setup'),
  ScenarioError: new ScenarioError('day.yaml', 'steps[0]', 'bad'),
  InputError: new InputError('events.jsonl:3: not JSON', { file: 'events.jsonl', line: 3 }),
};

describe('the error root', () => {
  it('covers every error class in src/', () => {
    const declared = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.ts')) for (const m of readFileSync(join(dir, entry.name), 'utf8').matchAll(/class (\w+Error) extends/g)) declared.add(m[1]!);
      }
    };
    walk(join(packageRoot(), 'src'));
    declared.delete('OtelAuditError');
    expect([...declared].filter((name) => !(name in samples)).sort()).toEqual([]);
  });

  it.each(Object.entries(samples))('%s is an OtelAuditError with a listed code, its name and a message', (name, error) => {
    expect(error).toBeInstanceOf(OtelAuditError);
    expect(error).toBeInstanceOf(Error);
    expect(Object.keys(ERROR_CODES)).toContain(error.code);
    expect(error.name).toBe(name);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('keeps the location: file, line, column and path', () => {
    expect(samples.DestinationsError).toMatchObject({ code: 'DESTINATIONS_INVALID', file: 'audit-collector.yaml', line: 7, column: 12, path: 'destinations[0].token' });
    expect(samples.AuditValidationError).toMatchObject({ code: 'AUDIT_EVENT_INVALID', path: 'data.repo.id' });
    expect(samples.SpoolWriteError).toMatchObject({ code: 'SPOOL_WRITE_FAILED', systemCode: 'ENOSPC' });
    expect(samples.InputError).toMatchObject({ code: 'INPUT_INVALID', file: 'events.jsonl', line: 3 });
  });

  it('SigmaError points at the line and column of the field in the rule file', () => {
    const text = 'title: T\nlogsource: {product: otel_audit}\ndetection:\n  sel:\n    event.name|bogus: x\n  condition: sel\n';
    const [doc] = parseSigmaText(text, 'rule.yml');
    const error = new SigmaError(doc!.source, 'detection.sel.event.name|bogus', 'unknown modifier "bogus"');
    expect(error).toMatchObject({ code: 'SIGMA_RULE_INVALID', file: 'rule.yml', path: 'detection.sel.event.name|bogus', line: 5, column: 23 });
    expect(error.message).toBe('rule.yml at detection.sel.event.name|bogus: unknown modifier "bogus" (line 5, column 23)');
    expect(() => parseSigmaText('title: [unclosed\n', 'broken.yml')).toThrow(expect.objectContaining({ code: 'SIGMA_RULE_INVALID', file: 'broken.yml', line: 2, column: 1 }));
  });
});

