// What createAuditLogger exports with, resolved the way the OpenTelemetry SDK
// resolves it: an explicit option, then the logs-specific environment variable
// (OTEL_EXPORTER_OTLP_LOGS_*), then the generic one (OTEL_EXPORTER_OTLP_*),
// then the default. The OTLP/HTTP exporters read the endpoint, headers,
// timeout and compression variables themselves when no option is passed, so
// only what the SDK leaves to its caller is read here: the protocol, the
// resource and OTEL_SDK_DISABLED.
import { defaultResource, detectResources, envDetector, hostDetector, osDetector, processDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { OtelAuditError } from '../errors.js';

export type OtlpProtocol = 'http/json' | 'http/protobuf';

/** The protocol: option, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL, http/protobuf. */
export function resolveProtocol(option: OtlpProtocol | undefined, env: NodeJS.ProcessEnv = process.env): OtlpProtocol {
  if (option !== undefined) return option;
  for (const name of ['OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (value === 'http/json' || value === 'http/protobuf') return value;
    throw new OtelAuditError('OPTION_INVALID', `${name}=${value} is not supported by createAuditLogger (it sends OTLP over HTTP): use http/protobuf or http/json, or pass your own exporter`, { path: name });
  }
  return 'http/protobuf';
}

/** OTEL_SDK_DISABLED=true (case-insensitive), as the SDK reads it. */
export function sdkDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

/**
 * The resource a NodeSDK user would get: the SDK defaults, host, OS and
 * process attributes, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME,
 * then the `serviceName` option. In Kubernetes, set the pod's attributes
 * through OTEL_RESOURCE_ATTRIBUTES (the downward API), as the OpenTelemetry
 * operator does.
 */
export function resolveResource(serviceName: string | undefined): Resource {
  const detected = defaultResource().merge(detectResources({ detectors: [hostDetector, osDetector, processDetector, envDetector] }));
  return serviceName ? detected.merge(resourceFromAttributes({ 'service.name': serviceName })) : detected;
}
