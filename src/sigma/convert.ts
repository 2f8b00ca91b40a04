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
  /** A sigma-cli output format of the target's backend (`sigma list formats <backend>`), e.g. savedsearches; default: default. */
  format?: string;
  /** A destinations file: the queries name the indexes its destinations of the target's type write to (splunk_hec, opensearch, elasticsearch). */
  destinations?: string;
  /** With `destinations`: only this destination's index (by name), not every destination of the type. */
  destination?: string;
  /** Also convert each rule file on its own, into `queries` (title, id and query per rule). */
  perRule?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** One rule file's queries, with the title and id of its main rule. */
export interface RuleQuery {
  file: string;
  title: string;
  id?: string;
  query: string;
}

export interface ConvertResult {
  target: string;
  /** The queries, one block per sigma-cli run (detection rules, then correlations). */
  output: string;
  converted: string[];
  notConverted: { file: string; reason: string }[];
  /** With `perRule`: each converted file's queries, in order. */
  queries?: RuleQuery[];
}

/** An OpenSearch or Elasticsearch index name, as their create-index API allows one. */
const INDEX_NAME = /^(?![_+-])[^\s\\/*?"<>|,#:A-Z]+$/;

/** The destination type whose index a target's queries search. */
const DESTINATION_OF_TARGET: Record<string, { type: string; defaultIndex?: string }> = {
  splunk: { type: 'splunk_hec' },
  opensearch: { type: 'opensearch', defaultIndex: 'ss4o_logs-default-namespace' },
  elasticsearch: { type: 'elasticsearch', defaultIndex: 'logs-generic.otel-default' },
};

/**
 * A pipeline naming the indexes the destinations of the target's type write
 * to, read from a destinations file: Splunk gets `index=…` or
 * `index IN (…)` (an add_condition), the OpenSearch PPL and ES|QL backends
 * their `source=`/`from` index list. Every enabled destination of the type
 * counts, so the query finds the events wherever the config sends them;
 * `only` (--destination) picks one of them by name.
 */
async function indexPipeline(targetName: string, destinationsFile: string, dir: string, only?: string): Promise<{ file: string; pattern: string } | undefined> {
  const wanted = DESTINATION_OF_TARGET[targetName];
  if (!wanted) throw new OtelAuditError('OPTION_INVALID', `--destinations names an index for the splunk, opensearch and elasticsearch targets, not ${targetName}`, { file: destinationsFile });
  const { loadDestinations } = await import('../collector/load.js');
  const spec = loadDestinations(destinationsFile);
  const ofType = spec.destinations.filter((d) => d.type === wanted.type && d.enabled !== false);
  const names = ofType.map((d) => d.name).join(', ') || 'none';
  let found = ofType;
  if (only !== undefined) {
    const chosen = spec.destinations.find((d) => d.name === only);
    if (!chosen) throw new OtelAuditError('OPTION_INVALID', `--destination ${only}: ${destinationsFile} has no destination of that name; its ${wanted.type} destinations: ${names}`, { file: destinationsFile });
    if (chosen.type !== wanted.type) throw new OtelAuditError('OPTION_INVALID', `--destination ${only} is a ${chosen.type} destination; the ${targetName} target searches ${wanted.type} destinations (${names})`, { file: destinationsFile });
    if (chosen.enabled === false) throw new OtelAuditError('OPTION_INVALID', `--destination ${only} is disabled (enabled: false) in ${destinationsFile}; the collector writes nothing there`, { file: destinationsFile });
    found = [chosen];
  }
  if (found.length === 0) throw new OtelAuditError('OPTION_INVALID', `${destinationsFile} has no ${wanted.type} destination for the ${targetName} target`, { file: destinationsFile });
  const indexOf = (d: (typeof found)[number]) => (d as { index?: string }).index ?? wanted.defaultIndex;
  const fromEnv = found.find((d) => indexOf(d)?.includes('${'));
  if (fromEnv) {
    throw new OtelAuditError('OPTION_INVALID', `${destinationsFile}: destination "${fromEnv.name}" takes its index from ${indexOf(fromEnv)!}, which a query cannot name; convert without --destinations${found.length > 1 ? ', or pick another destination with --destination' : ''}`, { file: destinationsFile });
  }
  const indexes = [...new Set(found.map(indexOf))];
  // PPL `source=` and ES|QL `FROM` take the names as they are: one with a space, "|" or "," would add to the query.
  const unsafe = targetName === 'splunk' ? undefined : found.find((d) => { const index = indexOf(d); return index !== undefined && !INDEX_NAME.test(index); });
  if (unsafe) {
    throw new OtelAuditError('OPTION_INVALID', `${destinationsFile}: destination "${unsafe.name}" has index ${JSON.stringify(indexOf(unsafe))}, which is not an index name (lowercase, without spaces or \\ / * ? " < > | , # :, not starting with _ - +), so a query cannot name it`, { file: destinationsFile });
  }
  // Splunk without index: the HEC token's default index, which the queries cannot name; they search the user's default indexes.
  if (indexes.includes(undefined)) return undefined;
  const file = join(dir, 'otel_audit_index.yml');
  const onLogsource = '      rule_conditions:\n          - type: logsource\n            product: otel_audit\n            service: audit\n';
  let transformations: string;
  if (targetName === 'splunk') {
    // A list becomes `index IN ("a", "b")`.
    transformations = `    - id: otel_audit_index\n      type: add_condition\n      conditions:\n          index: ${JSON.stringify(indexes.length === 1 ? indexes[0] : indexes)}\n${onLogsource}`;
  } else {
    // PPL `source=a,b` and ES|QL `FROM a,b` take a comma-separated list.
    const pattern = indexes.join(',');
    transformations = `    - id: otel_audit_index_state\n      type: set_state\n      key: index\n      val: ${JSON.stringify(pattern)}\n${onLogsource}` + (targetName === 'opensearch' ? `    - id: otel_audit_index_ppl\n      type: set_custom_attribute\n      attribute: opensearch_ppl_index\n      value: ${JSON.stringify(pattern)}\n${onLogsource}` : '');
  }
  // Priority 30: after the target pipeline (20), so this index wins over its default.
  writeFileSync(file, `name: otel_audit_index\npriority: 30\ntransformations:\n${transformations}`);
  return { file, pattern: indexes.join(',') };
}

/** The output formats sigma-cli has for a backend (`sigma list formats <backend>`). */
async function backendFormats(sigma: string, backend: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const result = await run(sigma, ['list', 'formats', backend], { env: { ...env, NO_COLOR: '1' } });
  if (result.code !== 0) throw new OtelAuditError('TOOL_FAILED', `sigma list formats ${backend} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  return [...result.stdout.matchAll(/^\|\s*([A-Za-z0-9_-]+)\s*\|/gm)].map((m) => m[1]!).filter((name) => name !== 'Format');
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
  if (options.destination !== undefined && !options.destinations) throw new OtelAuditError('OPTION_INVALID', `--destination ${options.destination} picks a destination of a destinations file: add --destinations FILE`);
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
    let pplIndex: string | undefined;
    if (options.destinations) {
      const index = await indexPipeline(options.target, options.destinations, scratch, options.destination);
      if (index) pipelines.push(index.file);
      if (index && options.target === 'opensearch') pplIndex = index.pattern;
    }
    const format = options.format && options.format !== 'default' ? options.format : undefined;
    if (format) {
      const formats = await backendFormats(sigma, target.backend, env);
      if (!formats.includes(format)) throw new OtelAuditError('OPTION_INVALID', `the ${target.backend} backend of the ${options.target} target has no output format "${format}"; its formats (sigma-cli): ${formats.join(', ')}`);
      if (target.correlationBackend && correlations.length > 0 && !(await backendFormats(sigma, target.correlationBackend, env)).includes(format)) {
        for (const file of correlations.splice(0)) notConverted.push({ file, reason: `the ${target.correlationBackend} backend has no output format "${format}"` });
      }
    }
    const convert = async (backend: string, batch: string[]) => {
      const args = ['convert', '-t', backend, ...pipelines.flatMap((p) => ['-p', p]), ...(format ? ['-f', format] : []), ...batch];
      const result = await run(sigma, args, { env: { ...env, NO_COLOR: '1' } });
      if (result.code !== 0) throw new OtelAuditError('TOOL_FAILED', `sigma ${args.join(' ')} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
      const out = result.stdout.trim();
      // The PPL backend's correlation queries ignore opensearch_ppl_index and search <product>-<service>-* (pySigma-backend-opensearch).
      return pplIndex && backend === 'open_search_ppl' ? out.replaceAll('source=otel_audit-audit-*', `source=${pplIndex}`) : out;
    };
    const outputs: string[] = [];
    for (const [backend, batch] of [[target.backend, detections], [target.correlationBackend, correlations]] as const) {
      if (!backend || batch.length === 0) continue;
      outputs.push(await convert(backend, batch));
    }
    let queries: RuleQuery[] | undefined;
    if (options.perRule) {
      const jobs = [...detections.map((file) => [target.backend, file] as const), ...correlations.map((file) => [target.correlationBackend!, file] as const)];
      queries = new Array<RuleQuery>(jobs.length);
      let next = 0;
      // Four sigma-cli processes at a time.
      const worker = async () => {
        for (let i = next++; i < jobs.length; i = next++) {
          const [backend, file] = jobs[i]!;
          const main = parseSigmaFile(file)[0]!;
          queries![i] = { file, title: String(main.rule.title ?? ''), ...(main.rule.id ? { id: main.rule.id } : {}), query: await convert(backend, [file]) };
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, jobs.length) }, worker));
    }
    return { target: options.target, output: outputs.join('\n\n'), converted: [...detections, ...correlations], notConverted, ...(queries ? { queries } : {}) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
