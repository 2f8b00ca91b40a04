// `otel-audit sigma convert`: runs sigma-cli from the cached virtual
// environment with the pack's pipeline for a target (sigma/pipelines/targets.yaml).
// Correlation rules go to the target's correlation backend, or are listed as
// not converted when it has none.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sigmaCliBinary } from '../tools/cache.js';
import { packageRoot } from '../package-root.js';
import { ToolUnavailableError } from '../tools/errors.js';
import { run } from '../tools/run.js';
import { listYamlFiles, parseSigmaFile } from './parse.js';
import { OtelAuditError } from '../errors.js';

export interface ConvertTarget {
  backend: string;
  pipeline: string;
  correlationBackend?: string;
  unsupportedCorrelationTypes?: string[];
  describes: string;
}

export function pipelinesDir(): string {
  return join(packageRoot(), 'sigma', 'pipelines');
}

export function loadTargets(): Record<string, ConvertTarget> {
  return parse(readFileSync(join(pipelinesDir(), 'targets.yaml'), 'utf8')) as Record<string, ConvertTarget>;
}

export interface ConvertOptions {
  target: string;
  paths?: string[];
  /** Adds `event.domain: <domain>` to every rule (a generated pipeline); see docs/sigma.md. */
  domain?: string;
  /** More pipeline files, applied with the bundled one. */
  pipelines?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface ConvertResult {
  target: string;
  /** The queries, one block per sigma-cli run (detection rules, then correlations). */
  output: string;
  converted: string[];
  notConverted: { file: string; reason: string }[];
}

/** The sigma-cli executable, or a ToolUnavailableError that says how to get it. */
export function requireSigmaCli(env: NodeJS.ProcessEnv = process.env): string {
  const binary = sigmaCliBinary(env);
  if (!existsSync(binary)) {
    throw new ToolUnavailableError('sigma-cli', `no executable at ${binary}`, 'run `otel-audit sigma setup` (or `npm run sigma:venv`); it needs Python 3.9+ with venv and access to PyPI, and installs sigma/requirements.txt into a cached virtual environment');
  }
  return binary;
}

function domainPipeline(domain: string, dir: string): string {
  const file = join(dir, 'otel_audit_domain.yml');
  // Priority 10 (log source stage): before the target pipeline renames fields.
  writeFileSync(file, `name: otel_audit_domain\npriority: 10\ntransformations:\n    - id: otel_audit_domain\n      type: add_condition\n      conditions:\n          event.domain: ${JSON.stringify(domain)}\n      rule_conditions:\n          - type: logsource\n            product: otel_audit\n            service: audit\n`);
  return file;
}

export async function convertRules(options: ConvertOptions): Promise<ConvertResult> {
  const targets = loadTargets();
  const target = targets[options.target];
  if (!target) throw new OtelAuditError('OPTION_INVALID', `unknown target "${options.target}"; one of: ${Object.keys(targets).join(', ')}`);
  const env = options.env ?? process.env;
  const sigma = requireSigmaCli(env);
  const files = listYamlFiles(options.paths ?? [join(packageRoot(), 'sigma', 'rules')]);
  const detections: string[] = [];
  const correlations: string[] = [];
  const notConverted: ConvertResult['notConverted'] = [];
  for (const file of files) {
    const docs = parseSigmaFile(file);
    const correlation = docs.find((d) => d.kind === 'correlation');
    if (docs.some((d) => d.kind === 'filter')) notConverted.push({ file, reason: 'filters are applied with --filter, not converted' });
    else if (!correlation) detections.push(file);
    else if (!target.correlationBackend) notConverted.push({ file, reason: `the ${target.backend} backend does not convert correlation rules` });
    else if (target.unsupportedCorrelationTypes?.includes(String(correlation.rule.correlation.type))) notConverted.push({ file, reason: `the ${target.correlationBackend} backend does not convert ${correlation.rule.correlation.type} correlations` });
    else correlations.push(file);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'otel-audit-sigma-'));
  try {
    const pipelines = [join(pipelinesDir(), target.pipeline), ...(options.pipelines ?? [])];
    if (options.domain) pipelines.push(domainPipeline(options.domain, scratch));
    const outputs: string[] = [];
    for (const [backend, batch] of [[target.backend, detections], [target.correlationBackend, correlations]] as const) {
      if (!backend || batch.length === 0) continue;
      const args = ['convert', '-t', backend, ...pipelines.flatMap((p) => ['-p', p]), ...batch];
      const result = await run(sigma, args, { env: { ...env, NO_COLOR: '1' } });
      if (result.code !== 0) throw new OtelAuditError('TOOL_FAILED', `sigma ${args.join(' ')} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
      outputs.push(result.stdout.trim());
    }
    return { target: options.target, output: outputs.join('\n\n'), converted: [...detections, ...correlations], notConverted };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
