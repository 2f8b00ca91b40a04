// The test POST a destination gets when it is set up (as the seeds' products send):
// a canonical event, signed like every other delivery.
import { randomUUID } from 'node:crypto';
import { networkErrorMessage, postWebhook, redactUrl, secretScrubber, validateWebhookOptions, type WebhookExporterOptions, type WebhookResponse } from './exporter.js';
import { OtelAuditError } from '../../errors.js';

export function webhookTestEvent(now = new Date()): Record<string, unknown> {
  return {
    id: randomUUID(),
    name: 'otel_audit.webhook.test',
    domain: 'otel-audit',
    time: now.toISOString(),
    source: 'system',
    severity: 'info',
    outcome: 'success',
    actor: { type: 'system', id: 'otel-audit' },
    data: { message: 'test delivery from otel-audit webhook test' },
  };
}

export interface WebhookTestResult extends WebhookResponse {
  event: Record<string, unknown>;
}

/**
 * Sends one signed test event (as an array when `batch` is set) and returns the response.
 * A redirect is not followed: the result has its 3xx status and `redirectedTo`. The
 * response body has the request's secrets masked: receivers echo the request they got.
 */
export async function sendWebhookTest(options: Omit<WebhookExporterOptions, 'failureThreshold' | 'stateDirectory' | 'eventOf'>): Promise<WebhookTestResult> {
  validateWebhookOptions(options, 'sendWebhookTest');
  const event = webhookTestEvent();
  const body = JSON.stringify(options.batch ? [event] : event);
  try {
    const response = await postWebhook(options, body);
    return { ...response, body: secretScrubber(options)(response.body), event };
  } catch (error) {
    // No `cause`: fetch's own errors may quote the request URL, query included.
    throw new OtelAuditError('WEBHOOK_DELIVERY_FAILED', `POST ${redactUrl(options.url)} failed before any response: ${secretScrubber(options)(networkErrorMessage(error))}`);
  }
}
