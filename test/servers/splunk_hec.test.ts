// The splunk_hec destination against the collector's own Splunk HEC receiver
// (a second collector process, test/harness/hec-collector.ts): the HEC
// requests the exporter sends are parsed by an implementation we did not write,
// and each HEC event is read back with its event, fields, index, sourcetype,
// source, time and token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedLogRecord } from '../../src/event/otlp-json.js';
import { contract } from '../../src/event/contract.js';
import { startHecCollector, type HecCollector } from '../harness/hec-collector.js';
import { forkEvent } from './catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from './deliver.js';

const TOKEN = '6c1a1c39-hec-token-from-env';
const FORK_ID = '019cd58f-0000-7000-8000-00000000bec1';

describe('splunk_hec destination → the collector\'s splunk_hec receiver', () => {
  let hec: HecCollector;
  let collector: DeliveringCollector;
  let records: DecodedLogRecord[] = [];

  beforeAll(async () => {
    hec = await startHecCollector();
    collector = await startDelivering([{ name: 'splunk', type: 'splunk_hec', endpoint: hec.url, token: '${env:SPLUNK_HEC_TOKEN}', index: 'audit' }], { SPLUNK_HEC_TOKEN: TOKEN });
    await emitThrough(collector, (audit) => {
      audit.emit('repo.fork', forkEvent(FORK_ID));
      audit.emit('auth.login.failed', { id: 'login-1', actor: { id: 'u-2' }, outcome: 'failure', data: { method: 'password', password: 'hunter2' } });
    });
    records = await eventually(() => {
      const got = hec.records();
      return got.length >= 2 ? got : undefined;
    }, 30_000, 'two HEC events at the receiver', collector);
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await hec?.stop();
  });

  const fork = () => records.find((r) => r.attributes['log.record.uid'] === FORK_ID)!;

  it('authenticates with the token from the environment', () => {
    for (const record of records) expect(record.resource['com.splunk.hec.access_token']).toBe(TOKEN);
  });

  it('sets index, sourcetype, source and the event time', () => {
    expect(fork().resource).toMatchObject({ 'com.splunk.index': 'audit', 'com.splunk.sourcetype': 'otel:audit', 'com.splunk.source': 'otel-audit' });
    // HEC time is epoch seconds as a float (1773134100.123); the receiver's float → nanoseconds
    // conversion may land a hair below the millisecond.
    expect(Math.abs(Number(BigInt(fork().timeUnixNano!) / 1_000_000n) - Date.parse(forkEvent(FORK_ID).time))).toBeLessThanOrEqual(1);
  });

  it('sends the canonical event as the HEC event and the contract attributes as indexed fields', () => {
    const event = forkEvent(FORK_ID);
    expect(fork().body).toMatchObject({ id: FORK_ID, name: 'repo.fork', actor: event.actor, target: event.target, data: { repo: { id: 'r-9', visibility: 'private' }, forks: 3, deployKey: contract().sensitive.replacement } });
    expect(fork().attributes).toMatchObject({
      'log.record.uid': FORK_ID,
      'event.name': 'repo.fork',
      'event.domain': 'acme.audit',
      'user.id': 'u-1',
      'organization.id': 'acme',
      'audit.data.repo.id': 'r-9',
      'audit.data.deployKey': contract().sensitive.replacement,
      'otel.log.severity.text': contract().severities.warning.text,
      'service.name': 'otel-audit-server-test',
    });
    // HEC fields are strings or arrays of strings; the number arrives as text.
    expect(String(fork().attributes['audit.data.forks'])).toBe('3');
    expect(JSON.stringify(records)).not.toMatch(/hunter2|ssh-ed25519/);
  });
});
