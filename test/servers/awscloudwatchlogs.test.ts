// The awscloudwatchlogs destination against moto's CloudWatch Logs: the real
// collector creates the group (with its retention) and the stream, and each
// record arrives as one JSON message with body, attributes and resource.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../src/event/contract.js';
import { testServers } from '../harness/servers.js';
import { AWS_ENV, AWS_REGION, cloudWatchLogs } from './aws.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const GROUP = '/acme/audit';
const STREAM = 'collector-1';
const FORK_ID = '019cd58f-0000-7000-8000-0000000c1a0d';
// CloudWatch Logs refuses events older than 14 days: a recent time.
const FORK_TIME = new Date(Date.now() - 60_000).toISOString();

interface LogEvent {
  timestamp: number;
  message: string;
}

describe('awscloudwatchlogs destination → moto CloudWatch Logs', () => {
  const moto = () => testServers().moto.url;
  let collector: DeliveringCollector;
  let events: LogEvent[] = [];

  beforeAll(async () => {
    collector = await startDelivering([{ name: 'cw', type: 'awscloudwatchlogs', region: AWS_REGION, logGroup: GROUP, logStream: STREAM, retentionDays: 90, endpoint: moto() }], AWS_ENV);
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID, FORK_TIME));
      audit.emit('auth.login.failed', { id: 'login-1', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    events = await eventually(async () => {
      const got = await cloudWatchLogs<{ events: LogEvent[] }>(moto(), 'GetLogEvents', { logGroupName: GROUP, logStreamName: STREAM, startFromHead: true });
      return got.events.length >= 2 ? got.events : undefined;
    }, 30_000, 'two events in the log stream', collector);
  }, 60_000);

  afterAll(async () => collector?.stop());

  it('creates the log group with the retention and the stream', async () => {
    const groups = await cloudWatchLogs<{ logGroups: { logGroupName: string; retentionInDays?: number }[] }>(moto(), 'DescribeLogGroups', { logGroupNamePrefix: GROUP });
    expect(groups.logGroups).toEqual([expect.objectContaining({ logGroupName: GROUP, retentionInDays: 90 })]);
    const streams = await cloudWatchLogs<{ logStreams: { logStreamName: string }[] }>(moto(), 'DescribeLogStreams', { logGroupName: GROUP });
    expect(streams.logStreams.map((s) => s.logStreamName)).toEqual([STREAM]);
  });

  it('writes each record as one JSON message: body (the canonical event), attributes, resource, severity', () => {
    const messages = events.map((e) => JSON.parse(e.message) as Record<string, unknown>);
    const fork = messages.find((m) => (m.attributes as Record<string, unknown>)['log.record.uid'] === FORK_ID)!;
    const event = forkEvent(FORK_ID, FORK_TIME);
    expect(fork.body).toMatchObject({ id: FORK_ID, name: 'repo.fork', actor: event.actor, data: { repo: { id: 'r-9' }, forks: 3, deployKey: contract().sensitive.replacement } });
    expect(fork.attributes).toMatchObject({
      'event.name': 'repo.fork',
      'event.domain': 'acme.audit',
      'user.id': 'u-1',
      'organization.id': 'acme',
      'audit.data.repo.id': 'r-9',
      'audit.data.forks': 3,
      'audit.data.deployKey': contract().sensitive.replacement,
    });
    expect(fork.resource).toMatchObject({ 'service.name': 'otel-audit-server-test' });
    expect(fork.severity_text).toBe(contract().severities.warning.text);
    expect(fork.severity_number).toBe(contract().severities.warning.number);
    const forkEventRow = events.find((e) => e.message.includes(FORK_ID))!;
    expect(forkEventRow.timestamp).toBe(Date.parse(event.time));
    expect(events.map((e) => e.message).join('\n')).not.toMatch(/hunter2|ssh-ed25519/);
  });
});

describe('awscloudwatchlogs destination: a record with a time CloudWatch Logs refuses', () => {
  // CloudWatch Logs refuses events older than 14 days or more than 2 hours ahead, and the
  // exporter fails the whole batch for them: retried for ever, it sent the other records of
  // the batch again on every try. The rendered transform/cloudwatch-time-<name> gives such a
  // record the time the exporter sends it; its own time stays in the body.
  it('is delivered once, stamped with its send time, and the rest of its batch once', async () => {
    const moto = testServers().moto.url;
    const stream = 'backlog';
    const collector = await startDelivering([{ name: 'cw', type: 'awscloudwatchlogs', region: AWS_REGION, logGroup: GROUP, logStream: stream, endpoint: moto }], AWS_ENV);
    try {
      const staleTime = new Date(Date.now() - 15 * 24 * 3600_000).toISOString();
      const aheadTime = new Date(Date.now() + 3 * 3600_000).toISOString();
      const sent = Date.now();
      await emitThrough(collector, (audit) => {
        audit.emit('repo.fork', forkEvent('stale-1', staleTime));
        audit.emit('repo.fork', forkEvent('ahead-1', aheadTime));
        audit.emit('repo.fork', forkEvent('fresh-1', new Date().toISOString()));
      });
      await eventually(async () => {
        const got = await cloudWatchLogs<{ events: LogEvent[] }>(moto, 'GetLogEvents', { logGroupName: GROUP, logStreamName: stream, startFromHead: true });
        return got.events.length >= 3 ? true : undefined;
      }, 30_000, 'three events', collector);
      // Time for a retried batch to show up again.
      await new Promise((r) => setTimeout(r, 1500));
      const { events } = await cloudWatchLogs<{ events: LogEvent[] }>(moto, 'GetLogEvents', { logGroupName: GROUP, logStreamName: stream, startFromHead: true });
      const byUid = new Map(events.map((e) => [(JSON.parse(e.message) as { attributes: Record<string, string> }).attributes['log.record.uid'], e]));
      expect(events.map((e) => (JSON.parse(e.message) as { attributes: Record<string, string> }).attributes['log.record.uid']).sort()).toEqual(['ahead-1', 'fresh-1', 'stale-1']);
      for (const uid of ['stale-1', 'ahead-1']) {
        const event = byUid.get(uid)!;
        expect(event.timestamp).toBeGreaterThanOrEqual(sent - 1000);
        expect(event.timestamp).toBeLessThanOrEqual(Date.now());
      }
      expect((JSON.parse(byUid.get('stale-1')!.message) as { body: { time: string } }).body.time).toBe(staleTime);
      expect(collector.logs()).not.toMatch(/older than 14 days/);
    } finally {
      await collector.stop();
    }
  });
});
