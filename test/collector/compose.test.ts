// `collector render --format compose`: a compose file for the user's own
// destinations file. `docker compose config` cannot run here (no Docker), so
// the file is checked as YAML against what compose needs and what the
// rendered config references.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { parseDestinations, renderCollectorConfig } from '../../src/collector/index.js';
import { renderCompose } from '../../src/collector/compose.js';
import { buildProgram } from '../../src/cli/program.js';
import { exampleNames, root } from './examples.js';

interface Service {
  image: string;
  command: string[];
  user: string;
  environment: Record<string, string>;
  ports: string[];
  volumes: string[];
  healthcheck?: unknown;
  deploy: { resources: { limits: { memory: string } } };
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const load = (name: string) => {
  const rel = `collector/examples/${name}.yaml`;
  return parseDestinations(readFileSync(join(root, rel), 'utf8'), rel);
};
/** The env vars a rendered config references: ${env:NAME} after an odd number of `$` ($$ is a literal `$`). */
const referenced = (config: string) => new Set([...config.matchAll(/(\$+)\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].filter((m) => m[1]!.length % 2 === 1).map((m) => m[2]!));
const builderVersion = /^ {2}version: (\S+)$/m.exec(readFileSync(join(root, 'collector', 'builder-config.yaml'), 'utf8'))![1]!;

describe.each(exampleNames())('compose file for collector/examples/%s.yaml', (name) => {
  const spec = load(name);
  const text = renderCompose(spec);
  const compose = parse(text) as Compose;
  const service = compose.services['otel-audit-collector']!;
  const c = spec.collector;

  it('parses as YAML with one collector service on the image the renderer targets', () => {
    expect(Object.keys(compose.services)).toEqual(['otel-audit-collector']);
    expect(service.image).toBe(`otel/opentelemetry-collector-contrib:${builderVersion}`);
    expect(service.command).toEqual(['--config=/etc/otelcol-contrib/config.yaml']);
  });

  it('passes exactly the env vars the config references, by name only (values from the environment or .env)', () => {
    const names = Object.keys(service.environment).filter((n) => n !== 'GOMEMLIMIT');
    expect(new Set(names)).toEqual(referenced(renderCollectorConfig(spec)));
    for (const n of names) expect(service.environment[n]).toBe(`\${${n}:?set ${n} in the environment or in .env}`);
  });

  it('mounts the config read-only and the queue directory on a named volume', () => {
    expect(service.volumes).toContain('./collector-config.yaml:/etc/otelcol-contrib/config.yaml:ro');
    expect(service.volumes).toContain(`audit-queue:${c.queue.directory}`);
    for (const v of service.volumes.slice(1)) expect(compose.volumes).toHaveProperty([v.split(':')[0]!]);
  });

  it('publishes the OTLP (none for a gateway tier reading Kafka) and health ports on 127.0.0.1, quoted', () => {
    const otlp = c.intake === 'kafka' ? [] : [c.receiver.grpcPort, c.receiver.httpPort];
    expect(service.ports).toEqual([...otlp, c.healthCheck.port].map((p) => `127.0.0.1:${p}:${p}`));
    expect(text).toContain(`"127.0.0.1:${c.healthCheck.port}:${c.healthCheck.port}"`);
    expect(text).toContain('user: "0:0"');
  });

  it('limits memory to memoryLimiter.limitMiB + 25%, GOMEMLIMIT at 80% of that', () => {
    const limit = Math.ceil(c.memoryLimiter.limitMiB * 1.25);
    expect(service.deploy.resources.limits.memory).toBe(`${limit}M`);
    expect(service.environment.GOMEMLIMIT).toBe(`${Math.floor(limit * 0.8)}MiB`);
  });
});

describe('compose options', () => {
  const spec = load('reference');

  it('keeps a file destination\'s folder on its own volume', () => {
    const service = (parse(renderCompose(spec)) as Compose).services['otel-audit-collector']!;
    expect(service.volumes).toContain('audit-archive:/var/lib/otelcol/audit-archive');
  });

  it('publishes on another address and mounts another config path when asked', () => {
    const service = (parse(renderCompose(spec, { publish: '0.0.0.0', configFile: './otel/config.yaml' })) as Compose).services['otel-audit-collector']!;
    expect(service.ports[0]).toBe('0.0.0.0:4317:4317');
    expect(service.volumes[0]).toBe('./otel/config.yaml:/etc/otelcol-contrib/config.yaml:ro');
  });

  it('compose.yaml is the reference rendering (npx tsx test/collector/regenerate.ts)', () => {
    expect(readFileSync(join(root, 'compose.yaml'), 'utf8')).toBe(renderCompose(parseDestinations(readFileSync(join(root, 'collector/examples/reference.yaml'), 'utf8'), 'collector/examples/reference.yaml'), { configFile: './collector/config.yaml' }));
  });

  it('the CLI writes it with --format compose and warns about a loopback receiver', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-compose-'));
    writeFileSync(join(dir, 'd.yaml'), 'domain: acme.audit\ncollector:\n  receiver: { bind: 127.0.0.1 }\ndestinations:\n  - name: d\n    type: debug\n');
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      await buildProgram().parseAsync(['node', 'otel-audit', 'collector', 'render', '-f', join(dir, 'd.yaml'), '-o', join(dir, 'compose.yaml'), '--format', 'compose']);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([expect.stringMatching(/collector\.receiver\.bind: "127\.0\.0\.1" is a loopback address inside the container/)]);
    expect((parse(readFileSync(join(dir, 'compose.yaml'), 'utf8')) as Compose).services['otel-audit-collector']!.ports[0]).toBe('127.0.0.1:4317:4317');
  });
});
