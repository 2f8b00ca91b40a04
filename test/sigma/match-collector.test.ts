// `sigma match` over what the real collector delivers: the splunk_hec
// exporter's HEC events as our HEC receiver got them, and the file
// exporter's OTLP/JSON lines, both from a config rendered from a destinations
// file (the "316 events, 0 matches" of HEC input is now a match per event).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHecReceiver, type HecReceiver } from '../../src/testing/index.js';
import { forkEvent } from '../servers/catalog.js';
import { emitThrough, eventually, startDelivering, type DeliveringCollector } from '../servers/deliver.js';
import { sigmaCli as cli } from './sigma-cli.js';

afterEach(() => {
  process.exitCode = 0;
});

const TOKEN = 'sigma-match-hec-token';
let dir: string;
let hec: HecReceiver;
let collector: DeliveringCollector;
let fileOutput: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'match-collector-'));
  fileOutput = join(dir, 'delivered.jsonl');
  hec = await startHecReceiver({ token: TOKEN });
  collector = await startDelivering([
    { name: 'splunk', type: 'splunk_hec', endpoint: hec.url, token: '${env:SPLUNK_HEC_TOKEN}', index: 'audit' },
    { name: 'archive', type: 'file', path: fileOutput },
  ] as never, { SPLUNK_HEC_TOKEN: TOKEN });
  await emitThrough(collector, (audit) => {
    for (let i = 0; i < 3; i++) audit.emit('repo.fork', forkEvent(`019cd58f-0000-7000-8000-00000000f0${i}0`));
  });
  await eventually(() => (hec.events.length >= 3 && existsSync(fileOutput) && readFileSync(fileOutput, 'utf8').includes('f020') ? true : undefined), 30_000, 'three events at HEC and in the file', collector);
}, 120_000);
afterAll(async () => {
  await collector?.stop();
  await hec?.close();
});

const RULE = 'title: Repository Forked\nid: 3f0e2a8c-5b1d-4d6e-9f7a-1c2b3d4e5f60\nstatus: test\nlogsource:\n    product: otel_audit\n    service: audit\ndetection:\n    selection:\n        event.name: repo.fork\n        event.domain: acme.audit\n        audit.data.repo.visibility: private\n    condition: selection\nlevel: low\n';

describe('sigma match over collector output', () => {
  it('reads the splunk_hec exporter\'s HEC events (event = the canonical body, domain from the fields)', async () => {
    writeFileSync(join(dir, 'fork.yml'), RULE);
    const file = join(dir, 'hec.jsonl');
    writeFileSync(file, hec.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const result = await cli('match', '-r', join(dir, 'fork.yml'), '-i', file);
    expect(result.err).toMatch(/^3 events, 3 matches$/m);
    expect(result.code).toBe(0);
  });

  it('reads the file exporter\'s OTLP/JSON lines', async () => {
    writeFileSync(join(dir, 'fork.yml'), RULE);
    const result = await cli('match', '-r', join(dir, 'fork.yml'), '-i', fileOutput);
    expect(result.err).toMatch(/^3 events, 3 matches$/m);
  });
});
