// The awss3 destination against moto's S3: the real collector, running the
// rendered config, uploads the canonical events as gzip JSON lines under
// <prefix>/year=/month=/day=/hour= (UTC), and every line is one body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { testServers } from '../harness/servers.js';
import { AWS_ENV, AWS_REGION, createBucket, listObjects, type S3Object } from './aws.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const BUCKET = 'acme-audit-archive';
const FORK_ID = '019cd58f-0000-7000-8000-0000000053a1';

describe('awss3 destination → moto S3', () => {
  const moto = () => testServers().moto.url;
  let collector: DeliveringCollector;
  let objects: S3Object[] = [];
  let uploadedAt = new Date();

  beforeAll(async () => {
    await createBucket(moto(), BUCKET);
    collector = await startDelivering([{ name: 'archive', type: 'awss3', region: AWS_REGION, bucket: BUCKET, endpoint: moto(), forcePathStyle: true }], AWS_ENV);
    uploadedAt = new Date();
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-1', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    objects = await eventually(async () => {
      const found = await listObjects(moto(), BUCKET);
      return found.flatMap((o) => o.text.trim().split('\n')).length >= 2 ? found : undefined;
    }, 30_000, 'two records in the bucket', collector);
  }, 60_000);

  afterAll(async () => collector?.stop());

  it('writes gzip objects under the prefix, partitioned by the upload hour in UTC', () => {
    const hour = (d: Date) => `audit/year=${d.getUTCFullYear()}/month=${String(d.getUTCMonth() + 1).padStart(2, '0')}/day=${String(d.getUTCDate()).padStart(2, '0')}/hour=${String(d.getUTCHours()).padStart(2, '0')}/`;
    const now = new Date();
    for (const object of objects) {
      expect([hour(uploadedAt), hour(now)].some((p) => object.key.startsWith(p)), object.key).toBe(true);
      expect(object.key).toMatch(/\/audit-logs_[0-9a-f-]{36}\.txt\.gz$|\/audit-logs_\d+\.txt\.gz$/);
    }
  });

  it('writes one canonical event (the record body) per JSON line', () => {
    const lines = objects.flatMap((o) => o.text.trim().split('\n'));
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const fork = events.find((e) => e.id === FORK_ID)!;
    const event = forkEvent(FORK_ID);
    expect(fork).toMatchObject({
      id: FORK_ID,
      name: 'repo.fork',
      source: 'api',
      time: event.time,
      outcome: 'success',
      actor: event.actor,
      target: event.target,
      organization: 'acme',
      team: 'platform',
      transactionId: 'tx-42',
      data: { repo: { id: 'r-9', visibility: 'private' }, forks: 3, deployKey: contract().sensitive.replacement },
    });
    const login = events.find((e) => e.id === 'login-1')!;
    expect(login).toMatchObject({ name: 'auth.login.failed', outcome: 'failure', data: { method: 'password', password: contract().sensitive.replacement } });
    expect(lines.join('\n')).not.toMatch(/hunter2|ssh-ed25519/);
  });
});
