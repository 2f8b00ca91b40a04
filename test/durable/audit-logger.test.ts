// createAuditLogger({ durable }): the typed emitter on top of the spool. Events
// emitted while the collector is down are on disk when emitDurable resolves,
// survive a restart of the service, and reach the real collector intact.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditLogger } from '../../src/emit/logger.js';
import type { DecodedLogRecord } from '../../src/event/otlp-json.js';
import { catalog } from '../emit/fixtures/catalog.js';
import { minimalFileConfig, readFileExporterOutput, startCollector, type RunningCollector } from '../harness/collector.js';
import { freePort } from '../harness/ports.js';
import { tempDir, waitFor } from './helpers.js';

describe('createAuditLogger with durable delivery', () => {
  let collector: RunningCollector | undefined;
  afterAll(async () => collector?.stop());

  it('keeps events emitted while the collector is down across a service restart, then delivers them', async () => {
    const ports = { otlpGrpc: await freePort(), otlpHttp: await freePort(), health: await freePort() };
    const directory = tempDir();
    const options = {
      catalog,
      endpoint: `http://127.0.0.1:${ports.otlpHttp}`,
      protocol: 'http/json' as const,
      timeoutMillis: 1000,
      durable: { directory, fsync: 'always' as const, retry: { initialMillis: 100, maxMillis: 500 } },
    };

    const first = createAuditLogger(options);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = await first.emitDurable('repo.fork', { actor: { id: `u-${i}` }, organization: 'acme', data: { repo: { id: `r-${i}` }, deployKey: 'ssh-rsa SECRET' } });
      ids.push(id!);
    }
    const syncId = first.emit('auth.login', { actor: { id: 'u-x' }, data: { method: 'password', password: 'hunter2' } });
    ids.push(syncId!);
    await first.durable!.whenDurable();
    expect(first.durable!.stats().queuedRecords).toBe(51);
    await first.durable!.shutdown(500); // the collector is down: everything stays on disk

    let output = '';
    collector = await startCollector((p, work) => minimalFileConfig(p, (output = join(work, 'out.jsonl'))), { ports });
    const second = createAuditLogger(options); // a restarted service replays the spool
    let records: DecodedLogRecord[] = [];
    await waitFor(() => {
      records = readFileExporterOutput(output);
      return records.length >= ids.length;
    }, 20_000, 'the replayed events in the collector output');
    await second.shutdown();

    const delivered = records.map((r) => r.attributes['log.record.uid']);
    expect(new Set(delivered)).toEqual(new Set(ids));
    const fork = records.find((r) => r.eventName === 'repo.fork')!;
    expect(fork.attributes).toMatchObject({ 'event.domain': 'acme.audit', 'organization.id': 'acme', 'audit.data.deployKey': '[REDACTED]' });
    const text = readFileSync(output, 'utf8');
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('hunter2');
  });

  it('refuses emitDurable without a spool', async () => {
    const audit = createAuditLogger({ catalog, endpoint: 'http://127.0.0.1:9', exporter: { export: (_l, done) => done({ code: 0 }), shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() } });
    await expect(audit.emitDurable('settings.update', {})).rejects.toThrow(/needs createAuditLogger\(\{ durable/);
    await audit.shutdown();
  });
});
