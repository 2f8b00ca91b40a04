// Any OTLP endpoint (a vendor, another collector), over gRPC (`otlp` exporter)
// or HTTP (`otlphttp`). Secrets go in as ${env:NAME} inside headers or the URL;
// bearer and basic auth use the bearertokenauth and basicauth extensions.
import type { DestinationModule } from './types.js';
import { compact, str, tlsConfig } from './types.js';

const defaults = {
  grpc: { exporter: 'otlp', timeout: '10s' },
  http: { exporter: 'otlphttp', timeout: '30s' },
};

export const otlp: DestinationModule = {
  type: 'otlp',
  summary: 'Any OTLP endpoint over gRPC or HTTP (otlp / otlphttp exporters)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => {
    const protocol = d.protocol === 'grpc' ? 'grpc' : 'http';
    const extensions: Record<string, Record<string, unknown>> = {};
    let authenticator: string | undefined;
    if (str(d, 'bearerToken') !== undefined) {
      authenticator = `bearertokenauth/${d.name}`;
      extensions[authenticator] = { token: str(d, 'bearerToken') };
    } else if (str(d, 'username') !== undefined) {
      authenticator = `basicauth/${d.name}`;
      extensions[authenticator] = { client_auth: { username: str(d, 'username'), password: str(d, 'password') } };
    }
    let tls = tlsConfig(d.tls);
    if (d.insecure === true) tls = { ...tls, insecure: true };
    return {
      exporterType: defaults[protocol].exporter,
      config: compact({
        endpoint: str(d, 'endpoint'),
        timeout: defaults[protocol].timeout,
        compression: str(d, 'compression'),
        headers: typeof d.headers === 'object' && d.headers !== null ? d.headers : undefined,
        tls,
        auth: authenticator ? { authenticator } : undefined,
      }),
      extensions: authenticator ? extensions : undefined,
    };
  },
};
