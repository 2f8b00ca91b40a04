// Microsoft Sentinel / Log Analytics through Azure Monitor's native OTLP
// ingestion (Logs Ingestion API with a data collection rule): the standard
// otlphttp exporter posts to the DCR's OTLP logs endpoint, authenticated by the
// azureauth extension with an Entra token for https://monitor.azure.com.
import type { DestinationModule, DestinationOf } from './types.js';
import { compact } from './types.js';

/** Exporter settings every sentinel destination renders with (not keys of the file). */
const fixed = {
  scopes: ['https://monitor.azure.com/.default'],
  compression: 'gzip',
  timeout: '30s',
};

function identity(d: DestinationOf<'sentinel'>): Record<string, unknown> {
  switch (d.identity) {
    case 'managed':
      return { managed_identity: compact({ client_id: d.clientId }) };
    case 'workload':
      return { workload_identity: compact({ client_id: d.clientId, tenant_id: d.tenantId, federated_token_file: d.federatedTokenFile }) };
    case 'servicePrincipal':
      return { service_principal: compact({ client_id: d.clientId, tenant_id: d.tenantId, client_secret: d.clientSecret }) };
    case 'default':
      return { use_default: true };
  }
}

export const sentinel: DestinationModule<'sentinel'> = {
  type: 'sentinel',
  summary: 'Microsoft Sentinel / Log Analytics via Azure Monitor OTLP ingestion (otlphttp exporter, azureauth extension)',
  queue: 'persistent',
  retry: 'retry_on_failure',
  plan: (d) => {
    const auth = `azureauth/${d.name}`;
    const base = d.endpoint.replace(/\/+$/, '');
    return {
      exporterType: 'otlphttp',
      config: {
        logs_endpoint: `${base}/datacollectionRules/${d.dcrImmutableId}/streams/${d.stream}/otlp/v1/logs`,
        compression: fixed.compression,
        timeout: fixed.timeout,
        auth: { authenticator: auth },
      },
      extensions: { [auth]: { ...identity(d), scopes: fixed.scopes } },
    };
  },
};
