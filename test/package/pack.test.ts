// The package as a user gets it: `npm pack`, installed into a fresh project
// (not this clone), with each entry point imported by plain Node. A door that
// is missing from package.json `exports` or `files` fails here.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { freshProject, freshProjectEnv } from './fresh-project.js';

const root = packageRoot();
let project = '';

function node(script: string): string {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  project = await freshProject();
}, 240_000);

describe('the packed package in a fresh project', () => {
  it('resolves every entry point, each exporting what the docs teach', () => {
    const out = node(`
      const entries = ['otel-audit', 'otel-audit/delivery', 'otel-audit/collector', 'otel-audit/sigma', 'otel-audit/integrity', 'otel-audit/testing'];
      const result = {};
      for (const entry of entries) result[entry] = Object.keys(await import(entry)).sort();
      console.log(JSON.stringify(result));
    `);
    const exported = JSON.parse(out) as Record<string, string[]>;
    expect(exported['otel-audit']).toEqual(expect.arrayContaining(['createAuditLogger', 'defineCatalog', 'OtelAuditError', 'AuditLogRecordProcessor']));
    expect(exported['otel-audit']).not.toContain('createDurableLogRecordProcessor'); // delivery has its own door
    expect(exported['otel-audit/delivery']).toEqual(expect.arrayContaining(['createDurableLogRecordProcessor', 'createWebhookExporter', 'verifyWebhook', 'listDeliveries']));
    expect(exported['otel-audit/testing']).toEqual(expect.arrayContaining(['startOtlpReceiver', 'startHecReceiver', 'startWebhookReceiver']));
    expect(exported['otel-audit/collector']).toEqual(expect.arrayContaining(['loadDestinations', 'renderCollectorConfig']));
    expect(exported['otel-audit/sigma']).toEqual(expect.arrayContaining(['SigmaEngine', 'readEventViews']));
    for (const internal of ['provisionCollector', 'signatureBase', 'webhookRequest', 'parseRetryAfter', 'makeExportProcessor', 'makeOtlpExporter', 'decodeAnyValue', 'isMappedBody', 'compileField', 'expandPattern', 'canonicalToAttributes']) {
      for (const names of Object.values(exported)) expect(names).not.toContain(internal);
    }
  });

  it('renders a compose file from otel-audit/collector, the same the CLI writes with --format compose', () => {
    const example = 'node_modules/otel-audit/collector/examples/multi-tenant.yaml';
    const out = node(`
      import { composeWarnings, buildCollectorConfig, loadDestinations, packageCompose, renderCompose } from 'otel-audit/collector';
      const spec = loadDestinations('${example}');
      const compose = packageCompose(buildCollectorConfig(spec), { publish: '0.0.0.0' });
      console.log(JSON.stringify({ text: renderCompose(spec, { publish: '0.0.0.0' }), ports: compose.services['otel-audit-collector'].ports, warnings: composeWarnings(buildCollectorConfig(spec)) }));
    `);
    const { text, ports, warnings } = JSON.parse(out) as { text: string; ports: string[]; warnings: string[] };
    const cli = spawnSync('npx', ['otel-audit', 'collector', 'render', '-f', example, '--format', 'compose', '--publish', '0.0.0.0'], { cwd: project, encoding: 'utf8', env: freshProjectEnv() });
    expect(cli.status, cli.stderr).toBe(0);
    expect(text).toBe(cli.stdout);
    expect(ports).toEqual(['0.0.0.0:4317:4317', '0.0.0.0:4318:4318', '0.0.0.0:13133:13133']);
    expect(warnings).toEqual([]);
  });

  it('resolves the JSON Schemas through otel-audit/schemas/…', () => {
    const out = node(`console.log(import.meta.resolve('otel-audit/schemas/destinations.schema.json'));`);
    expect(out.trim()).toMatch(/node_modules\/otel-audit\/schemas\/destinations\.schema\.json$/);
  });

  it('receives OTLP from the emitter in a test of a user, through otel-audit/testing', () => {
    const out = node(`
      import { createAuditLogger, defineCatalog } from 'otel-audit';
      import { startOtlpReceiver } from 'otel-audit/testing';
      const receiver = await startOtlpReceiver();
      const catalog = defineCatalog({ domain: 'acme.audit', events: { 'user.login': { description: 'A user logged in.' } } });
      for (const protocol of ['http/json', 'http/protobuf']) {
        const audit = createAuditLogger({ catalog, endpoint: receiver.endpoint, protocol, serviceName: 'fresh' });
        audit.emit('user.login', { actor: { id: 'u-1' }, organization: 'acme' });
        await audit.shutdown();
      }
      await receiver.close();
      console.log(JSON.stringify(receiver.requests.map((r) => [r.encoding, r.records[0].attributes['event.name'], r.records[0].attributes['user.id'], r.records[0].resource['service.name']])));
    `);
    expect(JSON.parse(out)).toEqual([['json', 'user.login', 'u-1', 'fresh'], ['protobuf', 'user.login', 'u-1', 'fresh']]);
  });
});

describe('a CommonJS TypeScript project', () => {
  it('imports otel-audit statically with module nodenext (require of ESM, Node ≥ 22.12), and module node16 gets TS1479 as docs/emit.md says', () => {
    const cjs = join(project, 'cjs-app');
    execFileSync('mkdir', ['-p', cjs]);
    writeFileSync(join(cjs, 'package.json'), JSON.stringify({ name: 'cjs-app', version: '1.0.0', type: 'commonjs', private: true }));
    writeFileSync(join(cjs, 'index.ts'), "import { defineCatalog, toLogRecord } from 'otel-audit';\nconst catalog = defineCatalog({ domain: 'acme.audit', events: { 'user.login': { description: 'A user logged in.' } } });\nconsole.log(toLogRecord({ name: 'user.login', actor: { id: 'u-1' } }, catalog).attributes['event.name']);\n");
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const compile = (module: string) => spawnSync(process.execPath, [tsc, '--module', module, '--moduleResolution', module, '--target', 'es2022', '--skipLibCheck', '--outDir', 'out', 'index.ts'], { cwd: cjs, encoding: 'utf8' });
    // node_modules of the fresh project are one folder up: Node and TypeScript find them there.
    const nodenext = compile('nodenext');
    expect(nodenext.stdout + nodenext.stderr).toBe('');
    const run = spawnSync(process.execPath, [join(cjs, 'out', 'index.js')], { cwd: cjs, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('user.login');
    expect(compile('node16').stdout).toMatch(/TS1479/);
  });
});
