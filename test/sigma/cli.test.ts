// The `otel-audit sigma` commands, run in-process through the real command tree.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { defaultRulesPath } from '../../src/sigma/index.js';
import { sigmaCli as cli } from './sigma-cli.js';

afterEach(() => {
  process.exitCode = 0;
});

const rules = defaultRulesPath();

describe('otel-audit sigma', () => {
  it('check passes on the pack and fails on a broken rule, naming file and field', async () => {
    const ok = await cli('check');
    expect(ok.out).toMatch(/28 files, 37 documents, 0 errors/);
    expect(ok.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'cli-check-'));
    writeFileSync(join(dir, 'otel_audit_broken_rule.yml'), 'title: Broken\nlogsource: {product: otel_audit, service: audit}\ndetection:\n    sel:\n        event.name|nope: x\n    condition: sel\n');
    const bad = await cli('check', dir);
    expect(bad.out).toMatch(/otel_audit_broken_rule\.yml:5:26: error: detection\.sel\.event\.name\|nope: unknown modifier "nope"$/m);
    expect(bad.code).toBe(1);
  });

  it('test runs sigma/tests', async () => {
    const result = await cli('test');
    expect(result.out).toMatch(/^\d+ cases, (\d+) passed, 0 failed, 0 rules without tests$/m);
    expect(result.code).toBe(0);
  });

  it('match prints rule, level and event ids in text and JSON, from the file exporter output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-match-'));
    const record = (uid: string, name: string, user: string, second: number) => ({
      timeUnixNano: String(BigInt(Date.UTC(2026, 10, 21, 10, 0, second)) * 1_000_000n),
      attributes: [
        { key: 'log.record.uid', value: { stringValue: uid } },
        { key: 'event.name', value: { stringValue: name } },
        { key: 'user.id', value: { stringValue: user } },
        { key: 'audit.outcome', value: { stringValue: 'failure' } },
      ],
    });
    const logins = Array.from({ length: 10 }, (_, i) => record(`l${i}`, 'auth.login', 'mallory', i));
    const line = { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: 'audit' }, logRecords: [record('s1', 'audit.stream.delete', 'mallory', 30), ...logins] }] }] };
    const file = join(dir, 'out.jsonl');
    writeFileSync(file, JSON.stringify(line) + '\n');
    const text = await cli('match', '-r', rules, '-i', file);
    expect(text.out).toContain('high          Audit Log Stream Deleted (');
    expect(text.out).toMatch(/events: s1$/m);
    expect(text.out).toMatch(/medium +Burst Of Failed Logins For One User \(089c0662-3fd8-458a-a3da-769d7d3d129d\) group \{"user.id":"mallory"\} events: l0, l1, l2, l3, l4, l5, l6, l7, l8, l9/);
    const json = JSON.parse((await cli('match', '-r', rules, '-i', file, '--format', 'json')).out) as { rule: string; level: string; events: string[] }[];
    expect(json).toContainEqual(expect.objectContaining({ level: 'high', events: ['s1'], kind: 'detection' }));
    expect(json).toContainEqual(expect.objectContaining({ rule: '089c0662-3fd8-458a-a3da-769d7d3d129d', level: 'medium', kind: 'correlation' }));
  });

  it('convert prints the queries and lists what it did not convert', async () => {
    const result = await cli('convert', '-t', 'sentinel', join(rules, 'otel_audit_stream_deleted.yml'), join(rules, 'mr_otel_audit_mass_deletion.yml'));
    expect(result.out).toContain('OtelAudit_CL\n| where EventName =~ "audit.stream.delete"');
    expect(result.err).toMatch(/not converted: .*mr_otel_audit_mass_deletion\.yml: the kusto backend does not convert correlation rules/);
  });

  it('has help for every command', () => {
    const sigma = buildProgram().commands.find((c) => c.name() === 'sigma')!;
    expect(sigma.commands.map((c) => c.name()).sort()).toEqual(['check', 'convert', 'match', 'setup', 'test']);
    for (const command of sigma.commands) expect(command.description()).not.toBe('');
  });
});
