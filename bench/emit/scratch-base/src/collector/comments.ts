// The comments the rendered YAML carries, as the collector's own example
// configs do: one short line on each setting whose reason is not obvious from
// its value. Paths are into the collector config; toYaml places them (under
// `config` in Helm values, `spec.config` in an operator resource).
import { collectorContract } from './contract.js';
import { IDS, type CollectorConfig } from './render.js';

export type YamlPath = readonly (string | number)[];

export interface YamlComment {
  path: YamlPath;
  /** Lines written above the key (or list item). */
  before?: string[];
  /** Written after the value on its line (scalars and list items). */
  inline?: string;
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const FILTER_ERROR_MODE = [
  'error_mode: ignore: a condition that fails to evaluate on a record is logged and counts as false, so',
  'that record is kept and sent on; propagate would fail the whole request back to the sender, which',
  'would retry it, and every record in it, for ever. A missing attribute is nil, not an error.',
];

/** The comments for a collector config. */
export function configComments(config: CollectorConfig): YamlComment[] {
  const out: YamlComment[] = [];
  const contract = collectorContract();
  const p = config.processors;
  const kafka = config.receivers[IDS.kafkaReceiver];
  if (isMap(kafka)) {
    out.push({ path: ['receivers', IDS.kafkaReceiver], before: ['The gateway tier\'s intake: reads the topic the agent tier\'s kafka destination fills (collector.kafka).'] });
    out.push({ path: ['receivers', IDS.kafkaReceiver, 'message_marking'], before: ['At least once: a message counts as consumed only once the pipeline took its records; one that cannot be decoded is logged and skipped.'] });
    out.push({ path: ['receivers', IDS.kafkaReceiver, 'error_backoff'], before: ['A refusal (memory_limiter, full queue) is retried for ever, the message stays in Kafka meanwhile.'] });
  }
  if (p[IDS.memoryLimiter]) {
    out.push({ path: ['processors', IDS.memoryLimiter], before: ['First in every pipeline: above limit_mib of heap the receiver refuses data (the senders retry) instead of the collector running out of memory.'] });
  }
  if (p[IDS.domainFilter]) {
    out.push({ path: ['processors', IDS.domainFilter], before: ['Drops every record of another event.domain than this file\'s.'] });
    out.push({ path: ['processors', IDS.domainFilter, 'error_mode'], before: FILTER_ERROR_MODE });
  }
  const redaction = p[IDS.redaction];
  if (isMap(redaction)) {
    out.push({ path: ['processors', IDS.redaction], before: [`Masks values, never drops keys: a masked value becomes ${contract.replacement}.`] });
    out.push({ path: ['processors', IDS.redaction, 'blocked_key_patterns'], before: ['Keys whose values are masked whole: names ending in password, secret, token, api key… (schemas/contract.json sensitive.names).'] });
    out.push({ path: ['processors', IDS.redaction, 'blocked_values'], before: ['Secrets inside free text, in any value: only the matched part is masked (schemas/contract.json sensitive.valuePatterns).'] });
    const values = redaction.blocked_values;
    if (Array.isArray(values)) {
      contract.sensitiveValuePatternNames.forEach((name, i) => {
        if (i < values.length) out.push({ path: ['processors', IDS.redaction, 'blocked_values', i], inline: name });
      });
    }
    out.push({ path: ['processors', IDS.redaction, 'allowed_values'], before: ['A value the emitter already masked stays as it is.'] });
    out.push({ path: ['processors', IDS.redaction, 'ignored_keys'], before: ['The contract\'s own attributes are never data keys: the patterns above skip them.'] });
  }
  for (const id of Object.keys(p)) {
    if (!id.startsWith('filter/route-')) continue;
    out.push({ path: ['processors', id], before: [`Keeps only the events and organizations destination "${id.slice('filter/route-'.length)}" asks for.`] });
    out.push({ path: ['processors', id, 'error_mode'], before: FILTER_ERROR_MODE });
  }
  for (const [id, processor] of Object.entries(p)) {
    if (id === IDS.domainFilter || id.startsWith('filter/route-') || !isMap(processor) || processor.error_mode !== 'ignore') continue;
    if (id.startsWith('filter/')) out.push({ path: ['processors', id, 'error_mode'], before: FILTER_ERROR_MODE });
    if (id.startsWith('transform/')) out.push({ path: ['processors', id, 'error_mode'], before: ['error_mode: ignore: a statement that fails on a record is logged and skipped; the record goes on as it is.'] });
  }
  if (config.connectors?.[IDS.fanout]) {
    out.push({ path: ['connectors', IDS.fanout], before: ['A fan-out: one route matching every record sends it to every destination pipeline; each destination filters for itself.'] });
  }
  if (config.connectors?.[IDS.redactionSplit]) {
    out.push({ path: ['connectors', IDS.redactionSplit], before: ['Records without the emitter\'s mark take the redaction pipeline; an OTTL error refuses the request (fails closed) rather than skip redaction.'] });
  }
  for (const [id, exporter] of Object.entries(config.exporters)) {
    if (!isMap(exporter)) continue;
    if (isMap(exporter.sending_queue)) {
      out.push({ path: ['exporters', id, 'sending_queue'], before: ['Persistent queue (file_storage): what the receiver acknowledged is on disk and survives a restart; batching happens after it.'] });
      out.push({ path: ['exporters', id, 'sending_queue', 'queue_size'], inline: 'requests; when full, the receiver refuses new data and the senders retry' });
    }
    if (isMap(exporter.retry_on_failure) && exporter.retry_on_failure.max_elapsed_time === '0s') {
      out.push({ path: ['exporters', id, 'retry_on_failure', 'max_elapsed_time'], inline: 'retry for ever: an audit record is never dropped for being late; the queue holds it meanwhile' });
    }
  }
  if (config.extensions[IDS.storage]) {
    out.push({ path: ['extensions', IDS.storage], before: ['Where the persistent queues live: keep this directory on a volume that outlives the container.'] });
  }
  return out;
}
