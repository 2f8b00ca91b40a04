// GENERATED from schemas/destinations.schema.json by scripts/generate-destination-types.mjs; do not edit.
// Change the schema, then run `node scripts/generate-destination-types.mjs` and commit both files
// (test/collector/schema-types.test.ts fails while this file is out of date). Defaults live in the
// schema only: `withDefaults` (spec.ts) applies them, and the Resolved* types say which keys it fills in.

/** The destination types (the `type` key). */
export type DestinationType = 'splunk_hec' | 'opensearch' | 'elasticsearch' | 'awscloudwatchlogs' | 'sentinel' | 'azuremonitor' | 'sumologic' | 'awss3' | 'datadog' | 'kafka' | 'otlp' | 'file' | 'debug';

/** TLS of the connection to the destination. */
export type DestinationTls = {
  insecureSkipVerify?: boolean;
  caFile?: string;
};

/**
 * The `collector` block after `withDefaults`: every key with a schema default is set.
 * Settings of the collector itself. Every key has a default, except kafka (required when intake is kafka).
 */
export type CollectorSettings = {
  /** The OTLP receiver the services send to. */
  receiver: {
    /**
     * Address to listen on (0.0.0.0 in containers, 127.0.0.1 for loopback only).
     * @defaultValue "0.0.0.0"
     */
    bind: string;
    /** @defaultValue 4317 */
    grpcPort: number;
    /** @defaultValue 4318 */
    httpPort: number;
  };
  /**
   * Where the records come from: otlp, the OTLP receiver (collector.receiver) the services or an agent tier send to; or kafka, the kafka receiver reading the topic of collector.kafka that an agent tier's kafka destination fills (the gateway tier, docs/collector.md). With kafka no OTLP port is opened.
   * @defaultValue "otlp"
   */
  intake: 'otlp' | 'kafka';
  /** The topic the gateway tier reads (the kafka receiver). Required when intake is kafka, refused otherwise. brokers, topic and encoding must match the agent tier's kafka destination. */
  kafka?: {
    /** Bootstrap brokers, host:port; each may be an ${env:NAME} reference. */
    brokers: string[];
    /** The topic the agent tier's kafka destination produces to. */
    topic: string;
    /**
     * How each message encodes its records, as the agent tier's kafka destination writes them: OTLP protobuf or OTLP JSON.
     * @defaultValue "otlp_proto"
     */
    encoding: 'otlp_proto' | 'otlp_json';
    /**
     * The consumer group: the gateway replicas of one group share the topic's partitions, each record goes to one of them.
     * @defaultValue "otel-audit-gateway"
     */
    groupId: string;
    /**
     * Where a group with no committed offset starts: earliest reads every record the topic still holds (none produced before the gateway's first start is missed), latest only those produced from then on.
     * @defaultValue "earliest"
     */
    initialOffset: 'earliest' | 'latest';
    /** TLS to the brokers; without it the receiver talks plaintext. */
    tls?: DestinationTls;
  };
  healthCheck: {
    /**
     * Address to listen on (0.0.0.0 in containers, 127.0.0.1 for loopback only).
     * @defaultValue "0.0.0.0"
     */
    bind: string;
    /** @defaultValue 13133 */
    port: number;
  };
  /** memory_limiter, the first processor of every pipeline. */
  memoryLimiter: {
    /** @defaultValue 512 */
    limitMiB: number;
    /** @defaultValue 128 */
    spikeLimitMiB: number;
    /** @defaultValue "1s" */
    checkInterval: string;
  };
  /** The persistent sending queue (file_storage) of every destination that has one. */
  queue: {
    /** @defaultValue "/var/lib/otelcol/audit-queue" */
    directory: string;
    /**
     * Requests each destination may hold while it is unreachable.
     * @defaultValue 10000
     */
    size: number;
    /** @defaultValue 4 */
    consumers: number;
  };
  /** Batching inside each persistent sending queue (sending_queue.batch): flush after timeout or at minSize records, never more than maxSize in one request. file and debug destinations have no queue and get records as they arrive. */
  batch: {
    /** @defaultValue "200ms" */
    timeout: string;
    /** @defaultValue 512 */
    minSize: number;
    /** @defaultValue 4096 */
    maxSize: number;
  };
  retry: {
    /** @defaultValue "5s" */
    initialInterval: string;
    /** @defaultValue "30s" */
    maxInterval: string;
    /**
     * 0s retries forever (the queue keeps the records meanwhile).
     * @defaultValue "0s"
     */
    maxElapsedTime: string;
  };
  /** Masking of sensitive keys (the contract's sensitive.attributePattern). audit.data.* attributes are always masked. */
  redaction: {
    /**
     * Also mask sensitive keys inside the body (the canonical event's data). Costs a regex per body key.
     * @defaultValue true
     */
    body: boolean;
    /**
     * Records carrying the emitter's mark (audit.redaction = emitter, see docs/contract.md) were redacted before they left the service and skip the collector's redaction; every other record is redacted. Set false when senders you do not control can reach the collector: then every record is redacted here too.
     * @defaultValue true
     */
    trustEmitter: boolean;
  };
  telemetry: {
    /** The collector's own metrics; none frees port 8888. */
    metricsLevel?: 'none' | 'basic' | 'normal' | 'detailed';
    logLevel?: 'debug' | 'info' | 'warn' | 'error';
  };
  /**
   * Container image for the helm and operator outputs.
   * @defaultValue "otel/opentelemetry-collector-contrib:0.139.0"
   */
  image: string;
  /** The helm and operator outputs: the pod's resources, replicas and placement. Unset keys are derived (docs/collector.md, "Sizing"). */
  kubernetes: {
    /** The collector container's resources. limits.memory defaults to memoryLimiter.limitMiB + 25%, and requests.memory to the same value; cpu is left unset unless given. */
    resources: {
      limits: {
        cpu?: string;
        memory?: string;
      };
      requests: {
        cpu?: string;
        memory?: string;
      };
    };
    /**
     * Pods of the StatefulSet; each has its own queue volume.
     * @defaultValue 1
     */
    replicas: number;
    /** Size of each pod's queue volume claim. Default: every persistent queue full (queue.size requests × 512 records × 1 KiB) + 25%, in whole Gi. */
    queueStorage?: string;
    /** The pod's nodeSelector (node labels). */
    nodeSelector?: Record<string, string>;
    /** The pod's tolerations, as in a Kubernetes pod spec. */
    tolerations?: Record<string, unknown>[];
    /** The pod's affinity, as in a Kubernetes pod spec. */
    affinity?: Record<string, unknown>;
  };
};

/** One `splunk_hec` destination as written in the file. */
export type SplunkHecDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'splunk_hec';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  /** HEC URL, e.g. https://splunk.example.com:8088/services/collector */
  endpoint: string;
  /** HEC token (${env:NAME}). */
  token: string;
  /** The Splunk index the HEC events go to; unset = the token's default index. */
  index?: string;
  /** @defaultValue "otel-audit" */
  source?: string;
  /** @defaultValue "otel:audit" */
  sourcetype?: string;
  /** TLS of the connection to the destination. */
  tls?: DestinationTls;
};

/** One `splunk_hec` destination after `withDefaults`: `enabled`, `source`, `sourcetype` filled in from the schema. */
export type ResolvedSplunkHecDestination = SplunkHecDestination & { enabled: boolean; source: string; sourcetype: string };

/** One `opensearch` destination as written in the file. */
export type OpenSearchDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'opensearch';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  endpoint: string;
  /** Needs `password` too. */
  username?: string;
  /** Needs `username` too. */
  password?: string;
  /** logs_index; unset = the exporter's own, ss4o_logs-default-namespace. */
  index?: string;
  /**
   * number_of_replicas of the index template `otel-audit collector setup` creates; 0 on a single-node cluster.
   * @defaultValue 1
   */
  replicas?: number;
  /** TLS of the connection to the destination. */
  tls?: DestinationTls;
};

/** One `opensearch` destination after `withDefaults`: `enabled`, `replicas` filled in from the schema. */
export type ResolvedOpenSearchDestination = OpenSearchDestination & { enabled: boolean; replicas: number };

/** One `elasticsearch` destination as written in the file. */
export type ElasticsearchDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'elasticsearch';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  endpoint: string;
  /** Needs `password` too. */
  username?: string;
  /** Needs `username` too. */
  password?: string;
  apiKey?: string;
  /** logs_index: a data stream, logs-<dataset>-<namespace> (the otel mapping writes only to data streams); unset = the exporter's data-stream routing (logs-generic.otel-default). */
  index?: string;
  /** TLS of the connection to the destination. */
  tls?: DestinationTls;
};

/** One `elasticsearch` destination after `withDefaults`: `enabled` filled in from the schema. */
export type ResolvedElasticsearchDestination = ElasticsearchDestination & { enabled: boolean };

/** One `awscloudwatchlogs` destination as written in the file. */
export type AwsCloudWatchLogsDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'awscloudwatchlogs';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  region: string;
  logGroup: string;
  logStream: string;
  retentionDays?: 0 | 1 | 3 | 5 | 7 | 14 | 30 | 60 | 90 | 120 | 150 | 180 | 365 | 400 | 545 | 731 | 1827 | 2192 | 2557 | 2922 | 3288 | 3653;
  roleArn?: string;
  endpoint?: string;
};

/** One `awscloudwatchlogs` destination after `withDefaults`: `enabled` filled in from the schema. */
export type ResolvedAwsCloudWatchLogsDestination = AwsCloudWatchLogsDestination & { enabled: boolean };

/** One `sentinel` destination as written in the file. */
export type SentinelDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'sentinel';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  /** The logs ingestion endpoint of the data collection endpoint (DCE) or rule, https://<dce>.<region>.ingest.monitor.azure.com */
  endpoint: string;
  dcrImmutableId: string;
  /** @defaultValue "opentelemetry_logs" */
  stream?: string;
  /**
   * How the collector gets its Entra token.
   * @defaultValue "default"
   */
  identity?: 'default' | 'managed' | 'workload' | 'servicePrincipal';
  /** Required when `identity` is 'workload' or 'servicePrincipal'. */
  clientId?: string;
  /** Required when `identity` is 'workload' or 'servicePrincipal'. */
  tenantId?: string;
  /** Required when `identity` is 'servicePrincipal'. */
  clientSecret?: string;
  /** Required when `identity` is 'workload'. */
  federatedTokenFile?: string;
};

/** One `sentinel` destination after `withDefaults`: `enabled`, `stream`, `identity` filled in from the schema. */
export type ResolvedSentinelDestination = SentinelDestination & { enabled: boolean; stream: string; identity: 'default' | 'managed' | 'workload' | 'servicePrincipal' };

/** One `azuremonitor` destination as written in the file. */
export type AzureMonitorDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'azuremonitor';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  /** Application Insights connection string (${env:NAME}). */
  connectionString: string;
};

/** One `azuremonitor` destination after `withDefaults`: `enabled` filled in from the schema. */
export type ResolvedAzureMonitorDestination = AzureMonitorDestination & { enabled: boolean };

/** One `sumologic` destination as written in the file. */
export type SumoLogicDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'sumologic';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  /** The HTTP Source URL; it embeds the source's credential, so it is a secret (${env:NAME}). */
  endpoint: string;
  /** @defaultValue "json" */
  logFormat?: 'json' | 'otlp' | 'text';
};

/** One `sumologic` destination after `withDefaults`: `enabled`, `logFormat` filled in from the schema. */
export type ResolvedSumoLogicDestination = SumoLogicDestination & { enabled: boolean; logFormat: 'json' | 'otlp' | 'text' };

/** One `awss3` destination as written in the file. */
export type AwsS3Destination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'awss3';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  region: string;
  bucket: string;
  /** @defaultValue "audit" */
  prefix?: string;
  /** @defaultValue "year=%Y/month=%m/day=%d/hour=%H" */
  partitionFormat?: string;
  /** @defaultValue "gzip" */
  compression?: 'gzip' | 'none';
  /** For S3-compatible stores (MinIO). */
  endpoint?: string;
  forcePathStyle?: boolean;
  roleArn?: string;
};

/** One `awss3` destination after `withDefaults`: `enabled`, `prefix`, `partitionFormat`, `compression` filled in from the schema. */
export type ResolvedAwsS3Destination = AwsS3Destination & { enabled: boolean; prefix: string; partitionFormat: string; compression: 'gzip' | 'none' };

/** One `datadog` destination as written in the file. */
export type DatadogDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'datadog';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  apiKey: string;
  /** @defaultValue "datadoghq.com" */
  site?: string;
  hostname?: string;
  /** Overrides the logs intake URL the site implies (https://http-intake.logs.<site>), for a proxy or a test server; the exporter posts to <endpoint>/api/v2/logs. */
  endpoint?: string;
};

/** One `datadog` destination after `withDefaults`: `enabled`, `site` filled in from the schema. */
export type ResolvedDatadogDestination = DatadogDestination & { enabled: boolean; site: string };

/** One `kafka` destination as written in the file. */
export type KafkaDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'kafka';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  /** Bootstrap brokers, host:port. */
  brokers: string[];
  /** The topic this destination's records are produced to. */
  topic: string;
  /**
   * How each message encodes its records: OTLP protobuf or OTLP JSON (an ExportLogsServiceRequest per message).
   * @defaultValue "otlp_proto"
   */
  encoding?: 'otlp_proto' | 'otlp_json';
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /** TLS of the connection to the destination. */
  tls?: DestinationTls;
};

/** One `kafka` destination after `withDefaults`: `enabled`, `encoding` filled in from the schema. */
export type ResolvedKafkaDestination = KafkaDestination & { enabled: boolean; encoding: 'otlp_proto' | 'otlp_json' };

/** One `otlp` destination as written in the file. */
export type OtlpDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'otlp';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  /** gRPC: host:port; HTTP: base URL (/v1/logs is appended). May hold ${env:NAME} references. */
  endpoint: string;
  /** @defaultValue "http" */
  protocol?: 'grpc' | 'http';
  headers?: Record<string, string>;
  bearerToken?: string;
  /** Needs `password` too. */
  username?: string;
  /** Needs `username` too. */
  password?: string;
  /** gRPC without TLS. */
  insecure?: boolean;
  compression?: 'gzip' | 'zstd' | 'none';
  /** TLS of the connection to the destination. */
  tls?: DestinationTls;
};

/** One `otlp` destination after `withDefaults`: `enabled`, `protocol` filled in from the schema. */
export type ResolvedOtlpDestination = OtlpDestination & { enabled: boolean; protocol: 'grpc' | 'http' };

/** One `file` destination as written in the file. */
export type FileDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'file';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  path: string;
  maxMegabytes?: number;
  maxBackups?: number;
  flushInterval?: string;
};

/** One `file` destination after `withDefaults`: `enabled` filled in from the schema. */
export type ResolvedFileDestination = FileDestination & { enabled: boolean };

/** One `debug` destination as written in the file. */
export type DebugDestination = {
  /** Unique; becomes part of the component ids (e.g. splunk_hec/<name>). */
  name: string;
  type: 'debug';
  /** Globs on event.name (* matches any run of characters, ? one); omitted = all events. */
  events?: string[];
  /** organization.id values this destination receives (a per-tenant stream); omitted = all. */
  organizations?: string[];
  /**
   * false pauses the stream: it is left out of the rendered config.
   * @defaultValue true
   */
  enabled?: boolean;
  /** @defaultValue "basic" */
  verbosity?: 'basic' | 'normal' | 'detailed';
};

/** One `debug` destination after `withDefaults`: `enabled`, `verbosity` filled in from the schema. */
export type ResolvedDebugDestination = DebugDestination & { enabled: boolean; verbosity: 'basic' | 'normal' | 'detailed' };

/** One destination as written in the file: the common keys plus its type's own keys. */
export type Destination =
  | SplunkHecDestination
  | OpenSearchDestination
  | ElasticsearchDestination
  | AwsCloudWatchLogsDestination
  | SentinelDestination
  | AzureMonitorDestination
  | SumoLogicDestination
  | AwsS3Destination
  | DatadogDestination
  | KafkaDestination
  | OtlpDestination
  | FileDestination
  | DebugDestination;

/** The keys of any member of a union. */
type KeyOfAny<U> = U extends unknown ? keyof U : never;

/** Each member of a union, with the keys only other members have as `?: undefined`: any key can be read without narrowing first. */
type Readable<U, All = U> = U extends unknown ? U & { [K in Exclude<KeyOfAny<All>, keyof U>]?: undefined } : never;

/**
 * One destination after `withDefaults`: keys with a schema default are always set.
 * Narrow on `type` for its own keys; any key can be read, as `undefined` where the type lacks it.
 */
export type ResolvedDestination = Readable<
  | ResolvedSplunkHecDestination
  | ResolvedOpenSearchDestination
  | ResolvedElasticsearchDestination
  | ResolvedAwsCloudWatchLogsDestination
  | ResolvedSentinelDestination
  | ResolvedAzureMonitorDestination
  | ResolvedSumoLogicDestination
  | ResolvedAwsS3Destination
  | ResolvedDatadogDestination
  | ResolvedKafkaDestination
  | ResolvedOtlpDestination
  | ResolvedFileDestination
  | ResolvedDebugDestination
>;
