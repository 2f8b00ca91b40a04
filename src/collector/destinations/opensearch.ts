// OpenSearch `_bulk` through the opensearch exporter. Its HTTP client settings
// are nested under `http` (not top-level endpoints/tls/auth like elasticsearch),
// and basic auth is a basicauth extension the exporter points to.
import type { DestinationModule } from './types.js';
import { compact, tlsConfig } from './types.js';

/** Exporter settings every opensearch destination renders with (not keys of the file). */
const fixed = {
  // ss4o: Simple Schema for Observability; attributes land under `attributes.*`.
  mapping: { mode: 'ss4o' },
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
