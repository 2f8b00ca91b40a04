// Rule paths given by hand: a mistyped or empty -r must not silently mean "no
// rules" (every event would pass unmatched), a folder is walked once even
// through a symlink loop, a FIFO in it is not read, and a rule that is not
// UTF-8 is refused instead of matching something else than what was written;
// a test case that would expand to millions of events is refused at once.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRulesPath, loadSigmaDocuments, runRuleTests, SigmaError } from '../../src/sigma/index.js';
import { packageRoot } from '../../src/package-root.js';
import { sigmaCli as cli } from './sigma-cli.js';

afterEach(() => {
  process.exitCode = 0;
});

const rule = join(defaultRulesPath(), 'otel_audit_admin_role_assigned.yml');
const event = '{"event.name":"member.role.assign","audit.data.role":"admin","time":"2026-01-01T00:00:00Z","event.domain":"acme.audit","audit.actor.type":"user","user.id":"u1"}\n';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'otel-audit-rule-paths-'));
  const events = join(dir, 'events.jsonl');
  writeFileSync(events, event);
  return { dir, events };
}

describe('sigma match -r', () => {
  it('matches with a rule file named whatever its extension', async () => {
    const { dir, events } = setup();
    const txt = join(dir, 'rule.txt');
    copyFileSync(rule, txt);
    const result = await cli('match', '-r', txt, '-i', events);
    expect(result.out).toMatch(/Admin Or Owner Role Assigned/);
    expect(result.err).toMatch(/1 events, 1 matches/);
  });

  it('refuses a folder without rules and a path that does not exist, instead of matching nothing', async () => {
    const { dir, events } = setup();
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(cli('match', '-r', empty, '-i', events)).rejects.toThrow(`${empty}: holds no .yml or .yaml file`);
    await expect(cli('match', '-r', join(dir, 'rulez'), '-i', events)).rejects.toThrow(`${join(dir, 'rulez')}: no such file or folder`);
    await expect(cli('check', empty)).rejects.toThrow(/holds no \.yml or \.yaml file/);
  });
});

describe('rule folders', () => {
  it('are walked once through a symlink loop and a FIFO in them is not read', () => {
    const { dir } = setup();
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    copyFileSync(rule, join(rules, 'a.yml'));
    symlinkSync('..', join(rules, 'up'));
    execFileSync('mkfifo', [join(rules, 'planted.yml')]);
    const documents = loadSigmaDocuments([rules]);
    expect(documents.map((d) => d.source.file)).toEqual([join(rules, 'a.yml')]);
  });
});

describe('a rule or rule test file that is not UTF-8', () => {
  it('is refused naming the file and line', async () => {
    const { dir, events } = setup();
    const latin1 = join(dir, 'latin1.yml');
    // "admin\xE9" in Latin-1 would become "admin\uFFFD" and never match.
    const text = readFileSync(rule, 'utf8');
    const at = text.indexOf("'admin'") + "'admin".length;
    writeFileSync(latin1, Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xe9]), Buffer.from(text.slice(at))]));
    const line = text.slice(0, at).split('\n').length;
    const result = await cli('check', latin1);
    expect(result.out).toContain(`latin1.yml: error: not valid UTF-8 (near line ${line}); save the file as UTF-8`);
    expect(result.code).toBe(1);
    await expect(cli('match', '-r', latin1, '-i', events)).rejects.toThrow(/latin1\.yml: not valid UTF-8/);
    const tests = join(dir, 'tests');
    mkdirSync(tests);
    writeFileSync(join(tests, 't.yml'), Buffer.from([0x72, 0x75, 0x6c, 0x65, 0x3a, 0x20, 0xff, 0x0a]));
    expect(() => runRuleTests({ rules: [rule], tests: [tests] })).toThrow(/t\.yml: not valid UTF-8 \(near line 1\)/);
  });
});

describe('a rule test case', () => {
  const burst = readFileSync(join(packageRoot(), 'sigma', 'tests', 'mr_otel_audit_login_failed_burst.yml'), 'utf8');
  const run = (text: string) => {
    const { dir } = setup();
    writeFileSync(join(dir, 't.yml'), text);
    return () => runRuleTests({ tests: [dir] });
  };

  it('that repeats an event 200 million times is refused at once, not expanded until memory runs out', () => {
    expect(burst).toMatch(/repeat: 10$/m);
    const started = Date.now();
    expect(run(burst.replace(/repeat: 10$/m, 'repeat: 200000000'))).toThrow(SigmaError);
    expect(run(burst.replace(/repeat: 10$/m, 'repeat: 200000000'))).toThrow(/t\.yml match\[0\]: sequence\[0\]: repeat 200000000 makes the case over 10000 events/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('whose repeats run past the last date is a SigmaError naming the case, not "Invalid time value"', () => {
    expect(run(burst.replace('every: 30s', 'every: 99999999d'))).toThrow(/t\.yml match\[0\]: sequence\[0\]: repeat 10 every 99999999d runs past the last date there is/);
  });
});
