// The stand-in Splunk HEC server speaks the documented protocol.
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { startHecReceiver, type HecReceiver } from '../../src/testing/hec-receiver.js';

describe('startHecReceiver', () => {
  let hec: HecReceiver | undefined;
  afterAll(async () => hec?.close());

  it('accepts concatenated events with the right token, refuses bad tokens, and can go down and up', async () => {
    hec = await startHecReceiver({ token: 'good' });
    const post = (body: string | Buffer, headers: Record<string, string>) => fetch(hec!.url, { method: 'POST', headers, body });
    const ok = await post('{"event":{"a":1},"fields":{"x":"y"}} {"event":"two","time":1700000000}', { authorization: 'Splunk good' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ text: 'Success', code: 0 });
    const gz = await fetch(`${hec.url}/event`, { method: 'POST', headers: { authorization: 'Splunk good', 'content-encoding': 'gzip' }, body: gzipSync('{"event":{"b":2}}') });
    expect(gz.status).toBe(200);
    expect(hec.events.map((e) => e.event)).toEqual([{ a: 1 }, 'two', { b: 2 }]);
    expect((await post('{"event":1}', {})).status).toBe(401);
    const bad = await post('{"event":1}', { authorization: 'Splunk bad' });
    expect(bad.status).toBe(403);
    expect(await bad.json()).toEqual({ text: 'Invalid token', code: 4 });
    expect((await post('{"fields":{}}', { authorization: 'Splunk good' })).status).toBe(400);

    const port = hec.port;
    await hec.stop();
    await expect(post('{"event":1}', { authorization: 'Splunk good' })).rejects.toThrow();
    await hec.start();
    expect(hec.port).toBe(port);
    expect((await post('{"event":3}', { authorization: 'Splunk good' })).status).toBe(200);
  });
});
