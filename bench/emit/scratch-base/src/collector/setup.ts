// The SIEM side of a destinations file (`otel-audit collector setup`): what each
// destination needs on its server before the collector first writes there.
// OpenSearch gets an index template, applied over its REST API: string fields
// as `keyword` with a lowercase normalizer (exact, case-insensitive term,
// wildcard and prefix queries, as Sigma's plain, contains, startswith and
// endswith values need), no date detection (a string that looks like a date in
// one record and not in the next would get a record refused), malformed values
// ignored instead of refusing the record, and the destination's replica count.
// The other types are set up by hand or by their own tools; for them the
// steps their docs page asks for are listed with the file's values filled in.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { OtelAuditError } from '../errors.js';
import type { DestinationType } from './destination-types.js';
import type { DestinationOf } from './destinations/types.js';
import type { DestinationsSpec, ResolvedDestination } from './spec.js';

/** The normalizer the OpenSearch index template defines and maps every string field with. */
export const OPENSEARCH_LOWERCASE_NORMALIZER = 'otel_audit_lowercase';
/** The priority of the index templates setup creates (above the distribution's own, e.g. ss4o). */
const TEMPLATE_PRIORITY = 200;
/** Lucene refuses a term over 32766 bytes; 8191 characters of UTF-8 stay below it. Longer values are stored, not indexed. */
const KEYWORD_IGNORE_ABOVE = 8191;
/** The opensearch exporter's index when `index` is unset (dataset `default`, namespace `namespace`). */
const OPENSEARCH_DEFAULT_INDEX = 'ss4o_logs-default-namespace';

/** One HTTP request setup sends (or, with `dryRun`, prints). */
export interface SetupRequest {
  method: 'PUT' | 'GET' | 'HEAD';
  /** The URL as the file writes it: `${env:NAME}` references are resolved only when the request is sent. */
  url: string;
  /** Sent as JSON. */
  body?: Record<string, unknown>;
  /** Basic auth from the destination's username/password (env references). */
  basicAuth?: { username: string; password: string };
}

/** What setup does (or asks a person to do) for one destination. */
export interface SetupStep {
  /** The destination's `name`. */
  destination: string;
  type: DestinationType;
  /** One line: what this step makes. */
  summary: string;
  /** A request otel-audit sends (OpenSearch). */
  request?: SetupRequest;
  /** Steps for a person (the other types), with the file's values filled in. */
  manual?: string[];
  /** `applied` (sent and accepted), `planned` (dry run: not sent), `manual` (nothing otel-audit can send; see `manual`). */
  outcome: 'applied' | 'planned' | 'manual';
  /** The server's HTTP status, when sent. */
  status?: number;
  /** Something to know about the applied step, e.g. that the index already existed. */
  note?: string;
}

/** Options of {@link setupDestinations}. */
export interface SetupOptions {
  /** Print what would be sent; send nothing. */
  dryRun?: boolean;
  /** Where `${env:NAME}` references are read. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Per request, in ms. Default 30000. */
  timeoutMillis?: number;
}

/** What {@link setupDestinations} did: one step per enabled destination, in file order. */
export interface SetupReport {
  /** True when nothing was sent. */
  dryRun: boolean;
  steps: SetupStep[];
}

/** The OpenSearch index template for one opensearch destination (what setup PUTs to `_index_template/<name>`). */
export function openSearchIndexTemplate(destination: Extract<ResolvedDestination, { type: 'opensearch' }>): { name: string; body: Record<string, unknown> } {
  const index = destination.index ?? OPENSEARCH_DEFAULT_INDEX;
  // The exporter fills one %{key} placeholder per record; the template covers every value.
  const pattern = index.replace(/%\{[^}]*\}/g, '*');
  const name = `otel-audit-${pattern.replace(/[^a-z0-9_-]+/gi, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'index'}`;
  return {
    name,
    body: {
      index_patterns: [pattern],
      priority: TEMPLATE_PRIORITY,
      _meta: { managed_by: 'otel-audit', destination: destination.name },
      template: {
        settings: {
          index: {
            number_of_replicas: destination.replicas,
            mapping: { ignore_malformed: true },
          },
          analysis: { normalizer: { [OPENSEARCH_LOWERCASE_NORMALIZER]: { type: 'custom', filter: ['lowercase'] } } },
        },
        mappings: {
          date_detection: false,
          dynamic_templates: [
            { strings_as_lowercase_keywords: { match_mapping_type: 'string', mapping: { type: 'keyword', normalizer: OPENSEARCH_LOWERCASE_NORMALIZER, ignore_above: KEYWORD_IGNORE_ABOVE } } },
          ],
          properties: { '@timestamp': { type: 'date' } },
        },
      },
    },
  };
}

function baseUrl(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

/** The steps for one destination, before anything is sent. */
function plan(destination: DestinationsSpec['destinations'][number]): Omit<SetupStep, 'outcome'> {
  const common = { destination: destination.name, type: destination.type };
  const d = destination as never;
  switch (destination.type) {
    case 'opensearch': {
      const os = d as DestinationOf<'opensearch'>;
      const template = openSearchIndexTemplate(os);
      return {
        ...common,
        summary: `index template ${template.name} for ${(template.body.index_patterns as string[])[0]}: strings as lowercase-normalized keyword, ${os.replicas} replica(s)`,
        request: {
          method: 'PUT',
          url: `${baseUrl(os.endpoint)}/_index_template/${template.name}`,
          body: template.body,
          ...(os.username !== undefined && os.password !== undefined ? { basicAuth: { username: os.username, password: os.password } } : {}),
        },
      };
    }
    case 'awscloudwatchlogs': {
      const cw = d as DestinationOf<'awscloudwatchlogs'>;
      const retention = cw.retentionDays;
      return {
        ...common,
        summary: `log group ${cw.logGroup}, stream ${cw.logStream} in ${cw.region}`,
        manual: [
          'The exporter creates the log group and the stream when they are missing.',
          retention === undefined
            ? `No retentionDays: the group keeps events for ever. To set it: aws logs put-retention-policy --region ${cw.region} --log-group-name ${cw.logGroup} --retention-in-days <days>`
            : `The exporter sets a retention of ${retention} days only on a group it creates. For a group that already exists: aws logs put-retention-policy --region ${cw.region} --log-group-name ${cw.logGroup} --retention-in-days ${retention}`,
          `The collector's identity needs logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents${retention === undefined ? '' : ' and logs:PutRetentionPolicy'} on the group.`,
        ],
      };
    }
    case 'sentinel': {
      const s = d as DestinationOf<'sentinel'>;
      return {
        ...common,
        summary: `data collection rule ${s.dcrImmutableId}, stream ${s.stream}, table OtelAudit_CL`,
        manual: [
          'Create the table OtelAudit_CL in the Sentinel workspace (the `az monitor log-analytics workspace table create` command in docs/destinations/sentinel.md).',
          `Create a data collection endpoint and a rule for OTLP logs whose data flow reads the stream ${s.stream} and writes Custom-OtelAudit_CL with the transformKql of docs/destinations/sentinel.md; its immutable id must be ${s.dcrImmutableId}.`,
          `Give the collector's identity (${s.identity}) the Monitoring Metrics Publisher role on the rule.`,
        ],
      };
    }
    case 'splunk_hec': {
      const h = d as DestinationOf<'splunk_hec'>;
      return {
        ...common,
        summary: `HEC token${h.index ? ` for index ${h.index}` : ''}`,
        manual: [
          `Enable HTTP Event Collector tokens and create a token${h.index ? ` allowed to write the index ${h.index}` : ''}, indexer acknowledgement off.`,
          `Put it in the collector's environment as ${h.token}.`,
        ],
      };
    }
    case 'elasticsearch': {
      const e = d as DestinationOf<'elasticsearch'>;
      return {
        ...common,
        summary: `write access to ${e.index ?? 'the logs-*.otel-* data streams'}`,
        manual: [`Create an API key (or user) with create_doc and auto_configure on ${e.index ?? 'logs-*'}; put it in the collector's environment.`],
      };
    }
    case 'awss3': {
      const s3 = d as DestinationOf<'awss3'>;
      return {
        ...common,
        summary: `bucket ${s3.bucket} in ${s3.region}`,
        manual: [
          `Create the bucket ${s3.bucket} (a lifecycle rule for retention; Object Lock if the archive must be immutable).`,
          `Give the collector's identity s3:PutObject on arn:aws:s3:::${s3.bucket}/${s3.prefix}/*.`,
        ],
      };
    }
    case 'azuremonitor':
      return { ...common, summary: 'Application Insights resource', manual: ["Create a workspace-based Application Insights resource and put its connection string in the collector's environment."] };
    case 'datadog':
      return { ...common, summary: 'Datadog API key', manual: ["Create an API key and put it in the collector's environment; optionally add facets for event.name and organization.id."] };
    case 'sumologic':
      return { ...common, summary: 'HTTP Logs & Metrics source', manual: ["Create a hosted collector with an HTTP Logs & Metrics source and put its URL in the collector's environment."] };
    case 'kafka':
      return { ...common, summary: 'Kafka topic', manual: ["Create the topic (or let the brokers auto-create it) with the partitions and retention the gateway tier needs; grant the collector's principal produce on it."] };
    case 'otlp':
      return { ...common, summary: 'OTLP endpoint', manual: ['Nothing to create: the receiving side accepts OTLP as it is.'] };
    case 'file':
    case 'debug':
      return { ...common, summary: 'nothing to set up', manual: [] };
  }
}

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

function resolveEnv(value: string, env: NodeJS.ProcessEnv, destination: string): string {
  return value.replace(ENV_REF, (_, name: string) => {
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      throw new OtelAuditError('SETUP_FAILED', `destination "${destination}": the environment variable ${name} is not set; setup reads it to reach the server`, { path: name });
    }
    return resolved;
  });
}

interface Answer {
  status: number;
  body: string;
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, tls: { ca?: Buffer; rejectUnauthorized: boolean }, timeoutMillis: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) }, timeout: timeoutMillis };
    const req = url.protocol === 'https:' ? httpsRequest(url, { ...options, ...tls }) : httpRequest(url, options);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMillis} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

async function apply(step: Omit<SetupStep, 'outcome'>, destination: DestinationOf<'opensearch'>, env: NodeJS.ProcessEnv, timeoutMillis: number): Promise<SetupStep> {
  const request = step.request!;
  const url = new URL(resolveEnv(request.url, env, step.destination));
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (request.basicAuth) {
    const user = resolveEnv(request.basicAuth.username, env, step.destination);
    const password = resolveEnv(request.basicAuth.password, env, step.destination);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  const tls = {
    ...(destination.tls?.caFile ? { ca: readFileSync(resolveEnv(destination.tls.caFile, env, step.destination)) } : {}),
    rejectUnauthorized: destination.tls?.insecureSkipVerify !== true,
  };
  let answer: Answer;
  try {
    answer = await send(url, request.method, headers, request.body === undefined ? undefined : JSON.stringify(request.body), tls, timeoutMillis);
  } catch (error) {
    throw new OtelAuditError('SETUP_FAILED', `destination "${step.destination}": ${request.method} ${url.origin}${url.pathname} failed: ${(error as Error).message}`, {}, { cause: error });
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw new OtelAuditError('SETUP_FAILED', `destination "${step.destination}": ${request.method} ${url.origin}${url.pathname} was refused (${answer.status}): ${answer.body.slice(0, 2000)}`);
  }
  // A template shapes new indices only: say so when the index is already there.
  let note: string | undefined;
  const index = destination.index ?? OPENSEARCH_DEFAULT_INDEX;
  if (!index.includes('%{')) {
    const existing = await send(new URL(`${url.origin}${url.pathname.replace(/\/_index_template\/.*$/, '')}/${encodeURIComponent(index)}`), 'HEAD', headers, undefined, tls, timeoutMillis).catch(() => undefined);
    if (existing?.status === 200) note = `the index ${index} already exists and keeps its mapping; the template applies to indices created from now on (reindex, or write to a new index)`;
  }
  return { ...step, outcome: 'applied', status: answer.status, ...(note ? { note } : {}) };
}

/**
 * Sets up the SIEM side of every enabled destination: sends what otel-audit
 * can apply (the OpenSearch index template) and lists the steps a person must
 * take for the others. With `dryRun`, nothing is sent and every step is
 * `planned` or `manual`. Run it before the collector first writes: an index
 * the collector has already created keeps its dynamic mapping.
 */
export async function setupDestinations(spec: DestinationsSpec, options: SetupOptions = {}): Promise<SetupReport> {
  const env = options.env ?? process.env;
  const dryRun = options.dryRun ?? false;
  const steps: SetupStep[] = [];
  for (const destination of spec.destinations.filter((d) => d.enabled !== false)) {
    const step = plan(destination);
    if (!step.request) steps.push({ ...step, outcome: 'manual' });
    else if (dryRun) steps.push({ ...step, outcome: 'planned' });
    else steps.push(await apply(step, destination as DestinationOf<'opensearch'>, env, options.timeoutMillis ?? 30_000));
  }
  return { dryRun, steps };
}

/** The report as text, as `otel-audit collector setup` prints it (requests in full for a dry run). */
export function formatSetupReport(report: SetupReport): string {
  const lines: string[] = [];
  for (const step of report.steps) {
    lines.push(`${step.destination} (${step.type}): ${step.summary}`);
    if (step.request) {
      const auth = step.request.basicAuth ? ` (basic auth ${step.request.basicAuth.username})` : '';
      lines.push(`  ${step.request.method} ${step.request.url}${auth}`);
      if (report.dryRun && step.request.body) lines.push(...JSON.stringify(step.request.body, null, 2).split('\n').map((l) => `  ${l}`));
      lines.push(step.outcome === 'applied' ? `  applied (${step.status})` : '  not sent (dry run)');
    }
    if (step.note) lines.push(`  note: ${step.note}`);
    for (const line of step.manual ?? []) lines.push(`  - ${line}`);
  }
  return lines.join('\n') + '\n';
}
