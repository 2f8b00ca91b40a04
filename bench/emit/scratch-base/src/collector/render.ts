// Destinations spec → OpenTelemetry Collector config (contrib 0.139 component
// names). One intake pipeline does the shared work once: OTLP receiver (or,
// for a gateway tier, the kafka receiver reading the agent tier's topic),
// memory_limiter first, a filter that keeps only the file's domain, redaction
// of sensitive keys. A routing connector then hands every record to one
// pipeline per destination, with that destination's events/organizations
// filter and an exporter whose persistent queue (file_storage) batches and
// retries. With a single destination, one pipeline does both.
import { Document, isMap, isScalar, isSeq, type Tags } from 'yaml';
import { configComments, type YamlComment, type YamlPath } from './comments.js';
import { stringTag } from 'yaml/util';
import { collectorContract, escapeRegex, jsRegExp } from './contract.js';
import { destinationModule, type DestinationModule } from './destinations/index.js';
import { compact, tlsConfig } from './destinations/types.js';
import { DestinationsError, type SpecIssue } from './errors.js';
import { dropUnlessEquals, dropUnlessGlob, dropUnlessOneOf, notEquals } from './ottl.js';
import type { CollectorSettings, Destination, DestinationsSpec, ResolvedDestination } from './spec.js';
import { packageHelm, packageOperator } from './packaging.js';
import { escapeDollars, escapeDollarsExceptReferences, escapeDollarsMinimal, isCollectorReferenceField, isDestinationReferenceField } from './secrets.js';

export type OutputFormat = 'config' | 'helm' | 'operator';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['config', 'helm', 'operator'];

export type CollectorConfig = Record<string, unknown> & {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  connectors?: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions: Record<string, unknown>;
  service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>; telemetry?: Record<string, unknown> };
};

export interface BuiltConfig {
  config: CollectorConfig;
  /** Component id (exporter, extension, processor, pipeline) → the destination that made it. */
  owners: Map<string, string>;
  /** Destinations left out because `enabled: false`. */
  disabled: Destination[];
  /** The spec it was built from. */
  spec: DestinationsSpec;
}

/** The component ids shared by every pipeline. */
export const IDS = {
  receiver: 'otlp',
  kafkaReceiver: 'kafka',
  memoryLimiter: 'memory_limiter',
  domainFilter: 'filter/audit-domain',
  redaction: 'redaction/audit-sensitive',
  health: 'health_check',
  storage: 'file_storage/audit-queue',
  fanout: 'routing/audit-fanout',
  redactionSplit: 'routing/audit-redaction',
  intake: 'logs',
  redactPipeline: 'logs/redact',
} as const;

function hostPort(bind: string, port: number): string {
  return `${bind.includes(':') ? `[${bind}]` : bind}:${port}`;
}

/**
 * The intake pipeline's receiver: the OTLP receiver, or with `intake: kafka`
 * the kafka receiver reading the topic the agent tier's kafka destination fills.
 */
function intakeReceiver(c: CollectorSettings): { id: string; config: Record<string, unknown> } {
  const k = c.kafka;
  if (c.intake !== 'kafka' || !k) {
    return { id: IDS.receiver, config: { protocols: { grpc: { endpoint: hostPort(c.receiver.bind, c.receiver.grpcPort) }, http: { endpoint: hostPort(c.receiver.bind, c.receiver.httpPort) } } } };
  }
  return {
    id: IDS.kafkaReceiver,
    config: compact({
      brokers: k.brokers,
      logs: { topic: k.topic, encoding: k.encoding },
      group_id: k.groupId,
      initial_offset: k.initialOffset,
      tls: tlsConfig(k.tls),
      // At least once: a message is marked consumed only after the pipeline took
      // its records (into a persistent queue, or written); a message that cannot
      // be decoded is logged and skipped, it would never succeed.
      message_marking: { after: true, on_error: false, on_permanent_error: true },
      // A refusal (memory_limiter, full queue) is retried, for ever, rather than skipped.
      error_backoff: { enabled: true, initial_interval: c.retry.initialInterval, max_interval: c.retry.maxInterval, max_elapsed_time: '0s' },
    }),
  };
}

function globalProcessors(spec: DestinationsSpec): Record<string, unknown> {
  const c = spec.collector;
  const contract = collectorContract();
  const blocked = c.redaction.body ? contract.sensitiveSuffixPatterns : [contract.sensitiveAttributePattern];
  return {
    [IDS.memoryLimiter]: { check_interval: c.memoryLimiter.checkInterval, limit_mib: c.memoryLimiter.limitMiB, spike_limit_mib: c.memoryLimiter.spikeLimitMiB },
    [IDS.domainFilter]: { error_mode: 'ignore', logs: { log_record: [escapeDollarsMinimal(dropUnlessEquals(contract.domainAttribute, spec.domain))] } },
    [IDS.redaction]: {
      // Keep every attribute; only mask values of sensitive keys. With body
      // redaction (the default) the cheap suffix patterns check every key of
      // the attributes and of the body; without it the contract's own pattern
      // checks only audit.data.* attributes (it never matches a bare body key).
      // Attribute values the emitter already replaced stay as they are (in the
      // body the processor checks the key first and writes its **** over them).
      allow_all_keys: true,
      blocked_key_patterns: blocked,
      // Secrets inside free text (bearer tokens, JWTs, URL credentials, cloud keys): the matched text is masked.
      blocked_values: contract.sensitiveValuePatterns,
      allowed_values: [`^${escapeRegex(contract.replacement)}$`],
      // The contract's own attributes are never data keys: skip the regexes for them.
      ignored_keys: contract.attributes.filter((name) => !blocked.some((p) => jsRegExp(p).test(name))),
      summary: 'silent',
    },
  };
}

function queueAndRetry(module: DestinationModule, settings: CollectorSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (module.queue === 'persistent') {
    out.sending_queue = {
      enabled: true,
      storage: IDS.storage,
      queue_size: settings.queue.size,
      num_consumers: settings.queue.consumers,
      // Batching after the queue: a record the receiver acknowledged is on disk.
      batch: { flush_timeout: settings.batch.timeout, sizer: 'items', min_size: settings.batch.minSize, max_size: settings.batch.maxSize },
    };
  }
  if (module.retry === 'retry_on_failure') {
    out.retry_on_failure = { enabled: true, initial_interval: settings.retry.initialInterval, max_interval: settings.retry.maxInterval, max_elapsed_time: settings.retry.maxElapsedTime };
  }
  return out;
}

/** A JSON-like value with every string passed through `f(string, path)`; keys are kept as they are. */
function mapStringsAt(value: unknown, f: (s: string, path: (string | number)[]) => string, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return f(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapStringsAt(v, f, [...path, i]));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStringsAt(v, f, [...path, k])]));
}

/**
 * A destination as its exporter must render it: the collector expands `${…}`
 * in every string of its config and reads `$$` as `$`, so every `$` is doubled
 * except the `${env:NAME}` references of the fields that may hold them
 * (secrets.ts REFERENCE_FIELDS). `name` and `type` make component ids and stay
 * as they are (the schema allows no `$` in them).
 */
function literalDestination(d: ResolvedDestination, secretFields: readonly string[] = []): ResolvedDestination {
  const out = mapStringsAt(d, (s, path) => {
    if (path.length === 1 && (path[0] === 'name' || path[0] === 'type')) return s;
    return isDestinationReferenceField(path, secretFields) ? escapeDollarsExceptReferences(s) : escapeDollars(s);
  });
  return out as ResolvedDestination;
}

/** The collector settings as the config must hold them (see literalDestination). */
function literalSettings(settings: CollectorSettings): CollectorSettings {
  return mapStringsAt(settings, (s, path) => (isCollectorReferenceField(path) ? escapeDollarsExceptReferences(s) : escapeDollars(s))) as CollectorSettings;
}

const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What no rendering can carry, for specs built in code (the loader refuses
 * these with positions): a destination name that is not a component id, and
 * a lone surrogate, which YAML cannot write. Control characters are fine: the
 * YAML writer escapes them.
 */
function unrenderable(spec: DestinationsSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  spec.destinations.forEach((d, i) => {
    if (typeof d.name !== 'string' || !NAME_PATTERN.test(d.name)) issues.push({ file: spec.file, path: `destinations[${i}].name`, message: 'must be 1 to 63 lowercase letters, digits, "-" or "_", starting and ending with a letter or digit' });
  });
  if (spec.collector.intake === 'kafka' && !spec.collector.kafka) issues.push({ file: spec.file, path: 'collector.kafka', message: 'collector.intake is "kafka", so collector.kafka must say which topic to read: brokers and topic' });
  if (spec.collector.intake !== 'kafka' && spec.collector.kafka) issues.push({ file: spec.file, path: 'collector.kafka', message: 'collector.kafka is read only when collector.intake is "kafka"' });
  mapStringsAt({ domain: spec.domain, collector: spec.collector, destinations: spec.destinations }, (s, path) => {
    if (LONE_SURROGATE.test(s)) issues.push({ file: spec.file, path: path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join(''), message: 'contains a lone surrogate (not valid Unicode), which YAML cannot write' });
    return s;
  });
  return issues;
}

/** Builds the collector config as an object, with who-made-what for error messages. */
export function buildCollectorConfig(spec: DestinationsSpec): BuiltConfig {
  const problems = unrenderable(spec);
  if (problems.length > 0) throw new DestinationsError(problems);
  // Strings in the config: `$` escaped (literalSettings, literalDestination).
  const c = literalSettings(spec.collector);
  const contract = collectorContract();
  const owners = new Map<string, string>();
  const processors = globalProcessors(spec);
  const exporters: Record<string, unknown> = {};
  const extensions: Record<string, unknown> = { [IDS.health]: { endpoint: hostPort(c.healthCheck.bind, c.healthCheck.port) } };
  const pipelines: CollectorConfig['service']['pipelines'] = {};
  const receiver = intakeReceiver(c);
  const disabled: Destination[] = [];
  let needsStorage = false;

  for (const d of spec.destinations) {
    if (d.enabled === false) {
      disabled.push(d);
      continue;
    }
    const module = destinationModule(d.type);
    if (!module) throw new DestinationsError([{ file: spec.file, path: `destinations[${spec.destinations.indexOf(d)}].type`, message: `unknown destination type "${d.type}"` }]);
    const plan = module.plan(literalDestination(d, module.secretFields));
    const exporterId = `${plan.exporterType}/${d.name}`;
    exporters[exporterId] = { ...plan.config, ...queueAndRetry(module, c) };
    owners.set(exporterId, d.name);
    for (const [id, config] of Object.entries(plan.extensions ?? {})) {
      extensions[id] = config;
      owners.set(id, d.name);
    }
    needsStorage ||= module.queue === 'persistent';

    const pipelineProcessors: string[] = [];
    const conditions: string[] = [];
    // Built from the values as written, then escaped as a whole: an organization
    // "${env:X}" must match that text, not the variable's value.
    if (d.events) conditions.push(escapeDollarsMinimal(dropUnlessGlob(contract.nameAttribute, d.events)));
    if (d.organizations) conditions.push(escapeDollarsMinimal(dropUnlessOneOf(contract.organizationAttribute, d.organizations)));
    if (conditions.length > 0) {
      const filterId = `filter/route-${d.name}`;
      processors[filterId] = { error_mode: 'ignore', logs: { log_record: conditions } };
      owners.set(filterId, d.name);
      pipelineProcessors.push(filterId);
    }
    for (const [id, config] of Object.entries(plan.processors ?? {})) {
      processors[id] = config;
      owners.set(id, d.name);
      pipelineProcessors.push(id);
    }
    const pipelineId = `logs/${d.name}`;
    pipelines[pipelineId] = { receivers: [IDS.fanout], processors: pipelineProcessors, exporters: [exporterId] };
    owners.set(pipelineId, d.name);
  }

  if (Object.keys(pipelines).length === 0) {
    throw new DestinationsError([{ file: spec.file, path: 'destinations', message: 'every destination is disabled (enabled: false); a collector needs at least one' }]);
  }
  const connectors: Record<string, unknown> = {};
  const destinationIds = Object.keys(pipelines);
  // The routing connector as a fan-out: one route that matches every resource
  // and lists every destination pipeline. (Its first-match routing cannot
  // express overlapping destinations, so each destination filters for itself.)
  const fanOut = () => {
    connectors[IDS.fanout] = { table: [{ context: 'resource', condition: 'true', pipelines: [...destinationIds] }] };
  };
  let servicePipelines: CollectorConfig['service']['pipelines'];
  if (c.redaction.trustEmitter) {
    // Records the emitter already redacted (its mark) go straight to the
    // destinations; only the others take the redaction pipeline, the costliest
    // step there is. The route fails closed: an OTTL error rejects the request
    // (error_mode propagate) instead of skipping redaction.
    const mark = contract.emitterMark;
    connectors[IDS.redactionSplit] = {
      table: [{ context: 'log', condition: notEquals(mark.attribute, mark.value), pipelines: [IDS.redactPipeline] }],
      default_pipelines: [...destinationIds],
    };
    fanOut();
    servicePipelines = {
      [IDS.intake]: { receivers: [receiver.id], processors: [IDS.memoryLimiter, IDS.domainFilter], exporters: [IDS.redactionSplit] },
      [IDS.redactPipeline]: { receivers: [IDS.redactionSplit], processors: [IDS.redaction], exporters: [IDS.fanout] },
    };
    for (const [id, pipeline] of Object.entries(pipelines)) servicePipelines[id] = { ...pipeline, receivers: [IDS.redactionSplit, IDS.fanout] };
  } else if (destinationIds.length === 1) {
    // One destination, every record redacted: its pipeline does everything, no fan-out copy needed.
    const [id, pipeline] = Object.entries(pipelines)[0]!;
    servicePipelines = { [id]: { receivers: [receiver.id], processors: [IDS.memoryLimiter, IDS.domainFilter, IDS.redaction, ...pipeline.processors], exporters: pipeline.exporters } };
  } else {
    fanOut();
    const intake = { receivers: [receiver.id], processors: [IDS.memoryLimiter, IDS.domainFilter, IDS.redaction], exporters: [IDS.fanout] };
    servicePipelines = { [IDS.intake]: intake, ...pipelines };
  }
  if (needsStorage) extensions[IDS.storage] = { directory: c.queue.directory, create_directory: true, timeout: '1s' };

  const telemetry: Record<string, unknown> = {};
  if (c.telemetry.metricsLevel) telemetry.metrics = { level: c.telemetry.metricsLevel };
  if (c.telemetry.logLevel) telemetry.logs = { level: c.telemetry.logLevel };

  const config: CollectorConfig = {
    receivers: { [receiver.id]: receiver.config },
    processors,
    ...(Object.keys(connectors).length > 0 ? { connectors } : {}),
    exporters,
    extensions,
    service: {
      extensions: Object.keys(extensions),
      pipelines: servicePipelines,
      ...(Object.keys(telemetry).length > 0 ? { telemetry } : {}),
    },
  };
  return { config, owners, disabled, spec };
}

/** Text from the spec for a comment: anything a YAML parser could take for a line break (or refuse) is written as \\uXXXX. */
export function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The comment at the top of every rendered file: where it came from, what was left out. */
export function headerComment(built: BuiltConfig): string {
  const lines = [
    ` Rendered by otel-audit from ${commentText(built.spec.file)}; edit that file and render again instead of editing this one.`,
    ` Domain: ${commentText(built.spec.domain)}. Collector components: contrib v0.139.0 names (otlp/otlphttp also work on newer collectors as aliases).`,
  ];
  const kafka = built.spec.collector.kafka;
  if (built.spec.collector.intake === 'kafka' && kafka) {
    lines.push(` Gateway tier (collector.intake: kafka): the kafka receiver reads topic ${commentText(kafka.topic)} as consumer group ${commentText(kafka.groupId)}; no OTLP port is opened.`);
  }
  const mark = collectorContract().emitterMark;
  lines.push(built.spec.collector.redaction.trustEmitter
    ? ` Records with ${mark.attribute}=${mark.value} were redacted by the otel-audit emitter and skip ${IDS.redaction}; all others pass through it (collector.redaction.trustEmitter: false redacts every record).`
    : ` Every record passes ${IDS.redaction} (collector.redaction.trustEmitter: false).`);
  for (const d of built.disabled) {
    lines.push(` Destination "${commentText(d.name)}" (${commentText(d.type)}) is disabled (enabled: false): its exporter and pipeline are left out.`);
  }
  return lines.join('\n');
}

export interface RenderOptions {
  format?: OutputFormat;
}

/**
 * Characters the collector's YAML parser (go-yaml) takes for a line break
 * (U+0085, U+2028, U+2029) or refuses (C0 and C1 controls, DEL, U+FEFF,
 * U+FFFE, U+FFFF), and lone surrogates. The yaml package writes most of them
 * as they are, so strings holding one are written by yamlDoubleQuoted.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NEEDS_ESCAPES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A YAML double-quoted scalar with every character go-yaml could misread escaped. */
export function yamlDoubleQuoted(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (code === 0x2028) out += '\\L';
    else if (code === 0x2029) out += '\\P';
    // YAML has no escape for a lone surrogate; buildCollectorConfig refuses them, this is the last resort.
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\uFFFD';
    else if (code === 0xfeff || code === 0xfffe || code === 0xffff) out += `\\u${code.toString(16).toUpperCase()}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The yaml package's string tag, except that strings with characters in NEEDS_ESCAPES are written by yamlDoubleQuoted. */
const safeStrings = (tags: Tags): Tags => tags.map((tag) => (tag === stringTag || (typeof tag === 'object' && tag.tag === stringTag.tag && !('format' in tag && tag.format))
  ? {
      ...stringTag,
      stringify(item, ctx, onComment, onChompKeep) {
        const value = String(item.value);
        return NEEDS_ESCAPES.test(value) ? yamlDoubleQuoted(value) : stringTag.stringify!(item, ctx, onComment, onChompKeep);
      },
    }
  : tag));

/**
 * YAML text for a config, Helm values or a resource, which every YAML parser
 * on the way (go-yaml in the collector, Helm and kubectl) reads back as the
 * same values: no line breaks or control characters unescaped.
 */
export function toYaml(content: unknown, comment?: string, comments: { under?: YamlPath; items: YamlComment[] } = { items: [] }): string {
  const doc = new Document(content, { aliasDuplicateObjects: false, customTags: safeStrings });
  if (comment !== undefined) doc.commentBefore = comment;
  for (const c of comments.items) placeComment(doc, [...(comments.under ?? []), ...c.path], c);
  return doc.toString({ lineWidth: 0 });
}

/** Puts a comment above a map key or list item (and after its scalar value), where the path exists. */
function placeComment(doc: Document, path: YamlPath, c: YamlComment): void {
  const parent = doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  let anchor: { commentBefore?: string | null } | undefined;
  let value: unknown;
  if (isMap(parent)) {
    const pair = parent.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === last);
    if (!pair || !isScalar(pair.key)) return;
    anchor = pair.key;
    value = pair.value;
  } else if (isSeq(parent) && typeof last === 'number') {
    value = parent.items[last];
    anchor = isScalar(value) || isMap(value) || isSeq(value) ? value : undefined;
  }
  if (!anchor) return;
  if (c.before) anchor.commentBefore = c.before.map((line) => ` ${line}`).join('\n');
  if (c.inline && isScalar(value)) value.comment = ` ${c.inline}`;
}

/** Renders the spec as YAML: a collector config, Helm values, or an OpenTelemetryCollector resource. */
export function renderCollectorConfig(spec: DestinationsSpec, options: RenderOptions = {}): string {
  const built = buildCollectorConfig(spec);
  const format = options.format ?? 'config';
  const content = format === 'helm' ? packageHelm(built) : format === 'operator' ? packageOperator(built) : built.config;
  const under = format === 'helm' ? ['config'] : format === 'operator' ? ['spec', 'config'] : [];
  return toYaml(content, headerComment(built), { under, items: configComments(built.config) });
}
