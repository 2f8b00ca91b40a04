// The catalog the server tests emit with: a few events whose data exercise the
// contract's fields, nested data, numbers, a sensitive key, and values in mixed
// case (for the case-insensitive queries Sigma needs).
import { defineCatalog } from '../../src/event/catalog.js';

export const catalog = defineCatalog({
  domain: 'acme.audit',
  version: '1',
  events: {
    'repo.fork': {
      description: 'A repository was forked.',
      severity: 'warning',
      data: {
        type: 'object',
        properties: {
          repo: { type: 'object', properties: { id: { type: 'string' }, visibility: { enum: ['public', 'private'] } }, required: ['id'] },
          forks: { type: 'integer' },
          deployKey: { type: 'string' },
        },
        required: ['repo'],
        additionalProperties: false,
      },
      sensitive: ['deployKey'],
    },
    'auth.login.failed': {
      description: 'A login attempt failed.',
      severity: 'warning',
      data: { type: 'object', properties: { method: { type: 'string' }, password: { type: 'string' } } },
    },
    'webhook.create': {
      description: 'A webhook was created.',
      data: { type: 'object', properties: { url: { type: 'string' }, events: { type: 'array', items: { type: 'string' } } }, required: ['url'] },
    },
  },
});

/** A repo.fork with every canonical field set; `id` makes it findable. */
export function forkEvent(id: string, time = '2026-03-10T09:15:00.123Z') {
  return {
    id,
    source: 'api',
    time,
    outcome: 'success' as const,
    actor: { id: 'u-1', type: 'user', email: 'ada@example.com', name: 'Ada', ip: '203.0.113.7', userAgent: 'curl/8.5' },
    target: { type: 'repository', id: 'r-9', name: 'acme/widgets' },
    organization: 'acme',
    team: 'platform',
    transactionId: 'tx-42',
    data: { repo: { id: 'r-9', visibility: 'private' as const }, forks: 3, deployKey: 'ssh-ed25519 AAAA-secret' },
  };
}
