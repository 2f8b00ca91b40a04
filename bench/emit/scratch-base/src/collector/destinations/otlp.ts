// Any OTLP endpoint (a vendor, another collector), over gRPC (`otlp` exporter)
// or HTTP (`otlphttp`). Secrets go in as ${env:NAME} inside headers or the URL;
// bearer and basic auth use the bearertokenauth and basicauth extensions.
import type { DestinationModule } from './types.js';
import { compact, tlsConfig } from './types.js';

/** The exporter, and its fixed settings, for each `protocol` (not keys of the file). */
const byProtocol = {
  grpc: { exporter: 'otlp', timeout: '10s' },
  http: { exporter: 'otlphttp', timeout: '30s' },
};

export const otlp: DestinationModule<'otlp'> = {
  type: 'otlp',
  summary: 'Any OTLP endpoint over gRPC or HTTP (otlp / otlphttp exporters)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => {
    const protocol = byProtocol[d.protocol];
    const extensions: Record<string, Record<string, unknown>> = {};
    let authenticator: string | undefined;
    if (d.bearerToken !== undefined) {
      authenticator = `bearertokenauth/${d.name}`;
      extensions[authenticator] = { token: d.bearerToken };
    } else if (d.username !== undefined) {
      authenticator = `basicauth/${d.name}`;
      extensions[authenticator] = { client_auth: { username: d.username, password: d.password } };
    }
    let tls = tlsConfig(d.tls);
    if (d.insecure === true) tls = { ...tls, insecure: true };
    return {
      exporterType: protocol.exporter,
      config: compact({
        endpoint: d.endpoint,
        timeout: protocol.timeout,
        compression: d.compression,
        headers: d.headers,
        tls,
        auth: authenticator ? { authenticator } : undefined,
      }),
      extensions: authenticator ? extensions : undefined,
    };
  },
};
