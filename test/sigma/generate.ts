// Deterministic synthetic audit events for the differential test and the
// benchmark: event names from the catalog, and values for the attributes the
// rules test, drawn so that rules match some events and miss most.
import { loadEventCatalog } from '../../src/sigma/catalog.js';

import { seededRandom } from '../../src/tools/seeded-random.js';

/** The seeded generator every synthetic event stream uses. */
export const random = seededRandom;

const pools: Record<string, unknown[]> = {
  'audit.outcome': ['success', 'failure'],
  'audit.data.role': ['admin', 'owner', 'org_admin', 'member', 'viewer'],
  'audit.data.changes.enabled.to': [true, false],
  'audit.data.changes.endpoint.to': ['https://siem.example.com', 'https://collector.example.net'],
  'audit.data.changes.events.to': ['repo.*'],
  'audit.data.changes.organizations.to': ['acme'],
  'audit.data.changes.mfa_required.to': [true, false],
  'audit.data.changes.enforced.to': [true, false],
  'audit.data.retention_days': [7, 30, 89, 90, 365],
  'audit.data.expires_in_days': [null, 30, 90],
  'audit.data.on_behalf_of': ['bob', 'carol'],
  'audit.data.scopes': ['repo:read', 'org:admin', 'repo:read,admin:hooks'],
  'audit.data.row_count': [10, 99999, 100000, 250000],
  'audit.data.actor_membership': ['member', 'outside_collaborator', 'guest'],
  'audit.data.visibility': ['public', 'private', 'internal'],
  'audit.data.url': ['http://receiver.example.net/hook', 'https://receiver.example.net/hook'],
};
const users = Array.from({ length: 200 }, (_, i) => `user${i}`);
/** Routine events no rule looks at, as most of a real audit stream is. */
const routine = ['repo.push', 'repo.clone', 'issue.create', 'issue.comment', 'pull_request.merge', 'file.view', 'auth.session.refresh', 'workflow.run', 'project.view', 'search.query'];

/**
 * `count` flat attribute records (OTLP attribute names), with ids `g<n>` and
 * times one second apart. Every value is lower case, as the rules are.
 * `routineShare` of the events get routine names that no rule looks at.
 */
export function generateAttributeEvents(count: number, seed = 1, routineShare = 0): { attributes: Record<string, unknown>; time: number; id: string }[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const names = Object.keys(loadEventCatalog().events);
  const start = Date.UTC(2026, 10, 21, 10);
  const events: { attributes: Record<string, unknown>; time: number; id: string }[] = [];
  for (let i = 0; i < count; i++) {
    const id = `g${i}`;
    const attributes: Record<string, unknown> = {
      'log.record.uid': id,
      'event.name': next() < routineShare ? pick(routine) : pick(names),
      'user.id': pick(users),
      'client.address': `198.51.100.${Math.floor(next() * 20)}`,
      // Always set: under `not`, an absent field matches in Sigma (and Splunk,
      // Elastic) but is NULL, so no match, in SQL; see docs/sigma.md.
      'audit.actor.type': pick(['user', 'api_token', 'system']),
    };
    for (const [field, values] of Object.entries(pools)) if (next() < 0.5) attributes[field] = pick(values);
    events.push({ attributes, time: start + i * 1000, id });
  }
  return events;
}
