// docs/getting-started.md as a newcomer follows it: in a fresh project with
// the packed package installed (test/package/fresh-project.ts; the page's
// install block must be the steps that setup takes), each block marked
// <!-- file: NAME --> is saved as NAME and each command of a block marked
// <!-- run --> runs in page order through bash, with `npx otel-audit` from the
// installed package. Every command must exit 0 and show its key result.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfigWithCollector } from '../../src/collector/index.js';
import { packageRoot } from '../../src/package-root.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/testing/index.js';
import { freshProject, freshProjectEnv } from '../package/fresh-project.js';
import { codeBlocks, type CodeBlock } from './markdown.js';

const PAGE = 'docs/getting-started.md';
const blocks = codeBlocks(packageRoot(), PAGE);
const at = (b: CodeBlock) => `${b.file}:${b.line}`;

/** The commands of a shell block: `\` continuations joined, comments and blank lines dropped. */
function commands(block: CodeBlock): string[] {
  return block.code.replace(/\\\n/g, ' ').split('\n').map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean);
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command line through bash; asynchronous, so the OTLP receiver of this process keeps answering. */
function bash(command: string, env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
let project = '';
let receiver: OtlpReceiver;

/** What each command of the page must show besides exit code 0. Every command needs one, so a new step gets a check. */
const CHECKS: [RegExp, (r: Result) => void | Promise<void>][] = [
  [/^node emit\.mjs$/, (r) => {
    expect(r.stdout).toMatch(/^audit event [0-9a-f-]{36} queued$/m);
    const record = receiver.records.find((x) => x.attributes['event.name'] === 'member.role.assign');
    expect(record, 'the record emit.mjs sent reaches OTEL_EXPORTER_OTLP_ENDPOINT').toBeDefined();
    expect(record!.attributes).toMatchObject({ 'user.id': 'u-1001', 'audit.data.role': 'admin', 'organization.id': 'acme-boards' });
    expect(record!.resource['service.name']).toBe('boards-api');
  }],
  [/^node --test audit\.test\.mjs$/, (r) => expect(r.stdout).toMatch(/# pass 1\b[\s\S]*# fail 0\b|ℹ pass 1[\s\S]*ℹ fail 0/)],
  [/^npx otel-audit collector render -f audit-collector\.yaml -o otelcol\.yaml$/, async () => {
    const result = await validateConfigWithCollector(parse(readFileSync(join(project, 'otelcol.yaml'), 'utf8')));
    expect(result.ok, `the real collector refused otelcol.yaml: ${result.error}`).toBe(true);
  }],
  [/^npx otel-audit collector validate -f audit-collector\.yaml$/, (r) => expect(r.stdout).toMatch(/^audit-collector\.yaml: valid \(checked by /)],
  [/^npx otel-audit collector render -f audit-collector\.yaml --format compose .*-o compose\.yaml$/, () => {
    const compose = parse(readFileSync(join(project, 'compose.yaml'), 'utf8')) as { services: Record<string, { volumes: string[]; environment: Record<string, string> }> };
    const service = Object.values(compose.services)[0]!;
    expect(service.volumes[0]).toMatch(/^\.\/otelcol\.yaml:\/etc\/otelcol-contrib\/config\.yaml:ro$/); // the config rendered and validated before
    expect(Object.keys(service.environment)).toEqual(expect.arrayContaining(['SPLUNK_HEC_TOKEN', 'OPENSEARCH_USER', 'OPENSEARCH_PASSWORD']));
  }],
  [/^npx otel-audit sigma check$/, (r) => expect(r.stdout).toMatch(/\d+ files, \d+ documents, 0 errors, 0 warnings/)],
  [/^npx otel-audit sigma test$/, (r) => expect(r.stdout).toMatch(/(\d+) cases, \1 passed, 0 failed, 0 rules without tests/)],
  [/^npx otel-audit sigma match -i events\.yaml/, (r) => {
    expect(r.stdout).toMatch(/Audit Log Stream Disabled \(.*\) events: 019cd594-1e20-7373-a845-146e4749236a/);
    expect(r.stdout).toMatch(/Large Data Export \(.*\) events: 019cd59a-d4e0-7863-86c7-aa314219c9ee/);
    expect(r.stdout).toContain('API Token Created With Admin Scope');
  }],
  [/^npx otel-audit sigma check --catalog audit-catalog\.yaml rules$/, (r) => expect(r.stdout).toContain('1 files, 1 documents, 0 errors, 0 warnings')],
  [/^npx otel-audit sigma test -r rules -t tests$/, (r) => expect(r.stdout).toContain('2 cases, 2 passed, 0 failed, 0 rules without tests')],
  [/^npx otel-audit sigma setup$/, (r) => expect(r.stdout.trim()).toMatch(/\/bin\/sigma$/)],
  [/^npx otel-audit sigma convert -t splunk --destinations audit-collector\.yaml/, (r) => {
    expect(r.stdout).toContain('# Admin Role Assigned In Acme Boards (3f0d1c9e-2b6a-4c1e-9d7f-5a8b6c4e2f10) rules/acme_admin_role_assigned.yml');
    expect(r.stdout).toMatch(/^index="audit" .*event\.name="member\.role\.assign" audit\.data\.role="admin"$/m);
  }],
  [/^npx otel-audit demo$/, (r) => expect(r.stdout).toMatch(/^OK in .*nothing lost or altered, every expected detection found\.$/m)],
];

interface Step {
  block: CodeBlock;
  command?: string;
}
const steps: Step[] = blocks.flatMap((block) => block.saveAs ? [{ block }] : block.run ? commands(block).map((command) => ({ block, command })) : []);
const checkOf = (command: string) => CHECKS.filter(([pattern]) => pattern.test(command));

beforeAll(async () => {
  project = await freshProject();
  receiver = await startOtlpReceiver();
}, 240_000);
afterAll(async () => receiver?.close());

describe(`${PAGE} in a fresh project`, () => {
  it('marks every block: setup, file, run, or not-tested with a reason', () => {
    const unmarked = blocks.filter((b) => !b.setup && !b.saveAs && !b.run && !b.notTested).map(at);
    expect(unmarked, 'mark these blocks <!-- file: NAME -->, <!-- run --> or <!-- not-tested: reason -->').toEqual([]);
    expect(blocks.filter((b) => b.notTested !== undefined).length, 'as few not-tested blocks as possible').toBeLessThanOrEqual(1);
  });

  it('installs the package as its setup block says', () => {
    const setup = blocks.filter((b) => b.setup);
    expect(setup).toHaveLength(1);
    const [mkdir, init, install] = commands(setup[0]!);
    expect(mkdir).toMatch(/^mkdir (\S+) && cd \1$/);
    expect([init, install]).toEqual(['npm init -y', 'npm install otel-audit']);
    // freshProject() ran the same two npm commands, with the packed tarball for the registry.
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(pkg.dependencies?.['otel-audit']).toMatch(/^file:otel-audit-[\d.]+\.tgz$/);
  });

  it('points each $schema line at a schema of the installed package, not of a clone', () => {
    const schemas = blocks.filter((b) => b.saveAs).flatMap((b) => [...b.code.matchAll(/\$schema=(\S+)/g)].map((m) => ({ block: b, path: m[1]! })));
    expect(schemas.length).toBeGreaterThanOrEqual(2);
    for (const { block, path } of schemas) {
      expect(path, at(block)).toMatch(/^node_modules\/otel-audit\/schemas\//);
      // Relative to the saved file, as the YAML language server reads it.
      expect(existsSync(join(project, dirname(block.saveAs!), path)), `${at(block)}: ${path} is not in the installed package`).toBe(true);
    }
  });

  it('has a check for every command it runs', () => {
    const commandSteps = steps.filter((s) => s.command !== undefined);
    expect(commandSteps.length).toBeGreaterThanOrEqual(13);
    expect(commandSteps.filter((s) => checkOf(s.command!).length !== 1).map((s) => `${at(s.block)}: ${s.command}`)).toEqual([]);
  });

  it.each(steps.map((s) => [s.command ? `${at(s.block)}: ${s.command}` : `${at(s.block)}: save ${s.block.saveAs}`, s] as const))('%s', async (_label, step) => {
    if (!step.command) {
      const file = join(project, step.block.saveAs!);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, step.block.code);
      return;
    }
    // OTEL_* of the machine running the tests must not steer the emitter; the page's emit.mjs sends to the receiver here.
    const env = freshProjectEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    for (const name of Object.keys(env)) if (name.startsWith('OTEL_') && name !== 'OTEL_EXPORTER_OTLP_ENDPOINT') delete env[name];
    const result = await bash(step.command, env);
    expect(result.status, `${at(step.block)}: ${step.command}\n${result.stdout}${result.stderr}`).toBe(0);
    for (const [, check] of checkOf(step.command)) await check(result);
  }, 200_000);
});
