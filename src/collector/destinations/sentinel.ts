// Microsoft Sentinel / Log Analytics through Azure Monitor's native OTLP
// ingestion (Logs Ingestion API with a data collection rule): the standard
// otlphttp exporter posts to the DCR's OTLP logs endpoint, authenticated by the
// azureauth extension with an Entra token for https://monitor.azure.com.
import type { Destination } from '../spec.js';
import type { DestinationModule } from './types.js';
import { compact, str } from './types.js';

const defaults = {
  scopes: ['https://monitor.azure.com/.default'],
  compression: 'gzip',
  timeout: '30s',
};

function identity(d: Destination): Record<string, unknown> {
  switch (d.identity) {
    case 'managed':
      return { managed_identity: compact({ client_id: str(d, 'clientId') }) };
    case 'workload':
      return { workload_identity: compact({ client_id: str(d, 'clientId'), tenant_id: str(d, 'tenantId'), federated_token_file: str(d, 'federatedTokenFile') }) };
    case 'servicePrincipal':
      return { service_principal: compact({ client_id: str(d, 'clientId'), tenant_id: str(d, 'tenantId'), client_secret: str(d, 'clientSecret') }) };
    default:
      return { use_default: true };
  }
}

export const sentinel: DestinationModule = {
  type: 'sentinel',
  summary: 'Microsoft Sentinel / Log Analytics via Azure Monitor OTLP ingestion (otlphttp exporter, azureauth extension)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => {
    const auth = `azureauth/${d.name}`;
    const base = (str(d, 'endpoint') ?? '').replace(/\/+$/, '');
    return {
      exporterType: 'otlphttp',
      config: {
        logs_endpoint: `${base}/datacollectionRules/${str(d, 'dcrImmutableId')}/streams/${str(d, 'stream')}/otlp/v1/logs`,
        compression: defaults.compression,
        timeout: defaults.timeout,
        auth: { authenticator: auth },
      },
      extensions: { [auth]: { ...identity(d), scopes: defaults.scopes } },
    };
  },
};
