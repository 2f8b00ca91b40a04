// OpenSearch `_bulk` through the opensearch exporter. Its HTTP client settings
// are nested under `http` (not top-level endpoints/tls/auth like elasticsearch),
// and basic auth is a basicauth extension the exporter points to.
import type { DestinationModule } from './types.js';
import { compact, tlsConfig } from './types.js';

/** Exporter settings every opensearch destination renders with (not keys of the file). */
const fixed = {
  // flatten_attributes: the record's attributes are top-level fields with their
  // OTLP names (`event.name`, `user.id`, `audit.data.*`, as Sigma rules name them),
  // the body is an object under `Body.*`, severity is `SeverityText`/`SeverityNumber`.
  // Not ss4o (the exporter's default): it stores the body as one JSON string and
  // adds an `attributes.data_stream` object to every document. `dedup` keeps one
  // value when a resource and a record attribute share a name (OpenSearch refuses
  // a document with a duplicate key); the record's wins.
  mapping: { mode: 'flatten_attributes', dedup: true },
  timeout: '30s',
};

export const opensearch: DestinationModule<'opensearch'> = {
  type: 'opensearch',
  summary: 'OpenSearch (opensearch exporter, basicauth extension)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => {
    const auth = d.username !== undefined ? `basicauth/${d.name}` : undefined;
    return {
      exporterType: 'opensearch',
      config: compact({
        ...fixed,
        logs_index: d.index,
        http: compact({ endpoint: d.endpoint, tls: tlsConfig(d.tls), auth: auth ? { authenticator: auth } : undefined }),
      }),
      extensions: auth ? { [auth]: { client_auth: { username: d.username, password: d.password } } } : undefined,
    };
  },
};
