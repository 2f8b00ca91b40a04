// Machine-readable reports of `otel-audit sigma check` and `sigma test` for
// CI: JUnit XML (testsuites/testsuite/testcase/failure, with file and line)
// and SARIF 2.1.0 (code scanning).
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../package-root.js';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { CheckResult } from './pack.js';
import type { RuleTestResult } from './testing.js';

/** What `--output-format` writes: `text` is the CLI's own, the others are made here. */
export type ReportFormat = 'junit' | 'sarif';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/otel-audit/otel-audit/blob/main/docs/sigma.md';

function xml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the rest are escaped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A path as reports name it: relative to `base` (the working directory) when inside it, with forward slashes. */
function shown(file: string, base: string): string {
  const rel = relative(base, file);
  return (rel && !rel.startsWith('..') ? rel : file).replace(/\\/g, '/');
}

interface Failure {
  message: string;
  line?: number;
  column?: number;
  detail?: string;
}
interface Case {
  classname: string;
  name: string;
  file: string;
  line?: number;
  failures: Failure[];
  out?: string;
}

function junit(suites: { name: string; cases: Case[] }[]): string {
  const total = (pick: (c: Case) => number) => suites.reduce((n, s) => n + s.cases.reduce((m, c) => m + pick(c), 0), 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="otel-audit sigma" tests="${total(() => 1)}" failures="${total((c) => (c.failures.length ? 1 : 0))}" errors="0">`];
  for (const suite of suites) {
    const failures = suite.cases.filter((c) => c.failures.length).length;
    lines.push(`  <testsuite name="${xml(suite.name)}" tests="${suite.cases.length}" failures="${failures}" errors="0" skipped="0">`);
    for (const c of suite.cases) {
      const attributes = `classname="${xml(c.classname)}" name="${xml(c.name)}" file="${xml(c.file)}"${c.line !== undefined ? ` line="${c.line}"` : ''}`;
      if (!c.failures.length && !c.out) {
        lines.push(`    <testcase ${attributes}/>`);
        continue;
      }
      lines.push(`    <testcase ${attributes}>`);
      // One <failure> per case (what every JUnit reader accepts); every problem is in its text, with its line.
      if (c.failures.length) {
        const first = c.failures[0]!;
        const text = c.failures.map((f) => `${c.file}${f.line !== undefined ? `:${f.line}${f.column !== undefined ? `:${f.column}` : ''}` : ''}: ${f.message}${f.detail ? `\n${f.detail}` : ''}`).join('\n');
        lines.push(`      <failure message="${xml(first.message)}" type="error">${xml(text)}</failure>`);
      }
      if (c.out) lines.push(`      <system-out>${xml(c.out)}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

interface SarifRule {
  id: string;
  name: string;
  description: string;
}
interface SarifResult {
  ruleId: string;
  level: 'error' | 'warning';
  message: string;
  file: string;
  line?: number;
  column?: number;
}

function sarif(toolRules: SarifRule[], results: SarifResult[], version: string): string {
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'otel-audit sigma',
            version,
            informationUri: INFORMATION_URI,
            rules: toolRules.map((r) => ({ id: r.id, name: r.name, shortDescription: { text: r.description } })),
          },
        },
        results: results.map((r) => ({
          ruleId: r.ruleId,
          ruleIndex: toolRules.findIndex((t) => t.id === r.ruleId),
          level: r.level,
          message: { text: r.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: r.file, uriBaseId: '%SRCROOT%' },
                ...(r.line !== undefined ? { region: { startLine: r.line, ...(r.column !== undefined ? { startColumn: r.column } : {}) } } : {}),
              },
            },
          ],
        })),
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${process.cwd().replace(/\\/g, '/').replace(/\/?$/, '/')}` } },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const CHECK_RULES: SarifRule[] = [
  { id: 'sigma-check/error', name: 'SigmaRuleError', description: 'A Sigma rule breaks the Sigma specification, a check the pipelines need, or a pack convention.' },
  { id: 'sigma-check/warning', name: 'SigmaRuleWarning', description: 'A Sigma rule has something that is probably a mistake.' },
];

/** The `sigma check` result as JUnit XML (one test case per rule file) or SARIF 2.1.0 (one result per issue). */
export function formatCheckResult(result: CheckResult, format: ReportFormat, base = process.cwd()): string {
  if (format === 'sarif') {
    return sarif(CHECK_RULES, result.issues.map((i) => ({ ruleId: `sigma-check/${i.severity}`, level: i.severity, message: `${i.path ? `${i.path}: ` : ''}${i.message}`, file: shown(i.file, base), line: i.line, column: i.column })), packageVersion());
  }
  const files = [...new Set([...result.checkedFiles, ...result.issues.map((i) => i.file)])];
  const cases: Case[] = files.map((file) => {
    const issues = result.issues.filter((i) => i.file === file);
    const errors = issues.filter((i) => i.severity === 'error');
    const warnings = issues.filter((i) => i.severity === 'warning');
    return {
      classname: 'sigma check',
      name: shown(file, base),
      file: shown(file, base),
      line: errors[0]?.line,
      failures: errors.map((i) => ({ message: `${i.path ? `${i.path}: ` : ''}${i.message}`, line: i.line, column: i.column })),
      out: warnings.length ? warnings.map((w) => `${shown(file, base)}${w.line !== undefined ? `:${w.line}` : ''}: warning: ${w.path ? `${w.path}: ` : ''}${w.message}`).join('\n') : undefined,
    };
  });
  return junit([{ name: 'sigma check', cases }]);
}

/** The line (1-based) of `match[0]`-style case `index` in a test file, when it can be found. */
function caseLines(file: string): (expected: string, index: number) => number | undefined {
  let doc: ReturnType<typeof parseDocument> | undefined;
  const counter = new LineCounter();
  try {
    doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: counter });
  } catch {
    doc = undefined;
  }
  return (expected, index) => {
    const list = doc && isMap(doc.contents) ? doc.contents.get(expected, true) : undefined;
    const item = isSeq(list) ? (list.items[index] as { range?: [number, number, number] } | undefined) : undefined;
    return item?.range ? counter.linePos(item.range[0]).line : undefined;
  };
}

/** `sigma test` results as JUnit XML (a suite per test file, a case per test case) or SARIF 2.1.0 (a result per failed case or untested rule). */
export function formatTestResults(results: readonly RuleTestResult[], untested: readonly string[], format: ReportFormat, base = process.cwd()): string {
  const files = [...new Set(results.map((r) => r.file))];
  const lineFinders = new Map(files.map((file) => [file, caseLines(file)]));
  const lineOf = (r: RuleTestResult) => lineFinders.get(r.file)?.(r.expected, Number(/\[(\d+)\]/.exec(r.case)?.[1] ?? 0));
  const why = (r: RuleTestResult) => `${r.rule} ${r.case}: expected ${r.expected === 'match' ? 'a match' : 'no match'}; matched: ${r.matched.join(', ') || 'nothing'}`;
  if (format === 'sarif') {
    const failed = results.filter((r) => !r.ok);
    return sarif(
      [
        { id: 'sigma-test/failed', name: 'SigmaTestFailed', description: 'A rule test case did not give the expected result.' },
        { id: 'sigma-test/untested', name: 'SigmaRuleUntested', description: 'A rule has no test file.' },
      ],
      [
        ...failed.map((r) => ({ ruleId: 'sigma-test/failed', level: 'error' as const, message: why(r), file: shown(r.file, base), line: lineOf(r) })),
        ...untested.map((rule) => ({ ruleId: 'sigma-test/untested', level: 'error' as const, message: `${rule} has no test file`, file: rule })),
      ],
      packageVersion(),
    );
  }
  const suites = files.map((file) => ({
    name: shown(file, base),
    cases: results
      .filter((r) => r.file === file)
      .map((r): Case => {
        const line = lineOf(r);
        return { classname: r.rule, name: r.case, file: shown(file, base), line, failures: r.ok ? [] : [{ message: why(r), line }] };
      }),
  }));
  if (untested.length) suites.push({ name: 'untested rules', cases: untested.map((rule) => ({ classname: 'untested', name: rule, file: rule, failures: [{ message: `${rule} has no test file` }] })) });
  return junit(suites);
}
