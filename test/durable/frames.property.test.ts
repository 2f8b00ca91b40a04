// Properties of the record codec and of the segment frame scanner, with fast-check:
// any record round-trips; any byte corruption of a segment (flipped bits, overwritten
// or zeroed ranges, a torn tail) never throws out of recovery, never loses an intact
// frame that the corruption does not overlap, and is scanned quickly. Bounded runs:
// the suite takes a few seconds.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { encodeRecord, RecordDecoder, renderRecord } from '../../src/delivery/durable/record-codec.js';
import { encodeFrame, scanSegment, SegmentLog, segmentName, type Position } from '../../src/delivery/durable/segment-log.js';

const scalar = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)), fc.boolean(), fc.uint8Array({ maxLength: 8 }));
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie('value'), { maxKeys: 3 })),
})).value;
const attributeValue = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }));
const attributes = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), attributeValue, { maxKeys: 4 }) as fc.Arbitrary<Attributes>;
const hrTime = fc.tuple(fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: 0, max: 999_999_999 }));
const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));

const record: fc.Arbitrary<ReadableLogRecord> = fc.record({
  hrTime,
  hrTimeObserved: hrTime,
  severityNumber: fc.option(fc.integer({ min: 0, max: 24 }), { nil: undefined }),
  severityText: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
  body: fc.option(anyValue, { nil: undefined }),
  eventName: fc.option(fc.string({ maxLength: 16 }), { nil: undefined }),
  attributes: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), anyValue, { maxKeys: 5 }),
  droppedAttributesCount: fc.nat({ max: 5 }),
  resource: fc.tuple(attributes, fc.option(fc.webUrl(), { nil: undefined })).map(([a, schemaUrl]) => resourceFromAttributes(a, schemaUrl ? { schemaUrl } : undefined)),
  instrumentationScope: fc.record({ name: fc.string({ minLength: 1, maxLength: 12 }), version: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), schemaUrl: fc.option(fc.webUrl(), { nil: undefined }), attributes: fc.option(attributes, { nil: undefined }) }),
  spanContext: fc.option(fc.record({ traceId: hex(32), spanId: hex(16), traceFlags: fc.integer({ min: 0, max: 1 }) }), { nil: undefined }),
});

/** Records as the spool stores them, small so that a segment holds many. */
const payload = fc.record({ id: fc.uuid(), text: fc.string({ maxLength: 120 }), n: fc.integer() }).map((body) =>
  encodeRecord({ hrTime: [1_763_700_000, 1], hrTimeObserved: [1_763_700_000, 2], body, attributes: { 'log.record.uid': body.id }, droppedAttributesCount: 0, resource: resourceFromAttributes({ 'service.name': 'prop' }), instrumentationScope: { name: 'prop' } }),
);

type Corruption = { kind: 'flip'; at: number; mask: number } | { kind: 'overwrite'; at: number; bytes: Uint8Array } | { kind: 'zero'; at: number; length: number } | { kind: 'truncate'; at: number };
/** Positions are fractions of the segment length, so they apply to any segment. */
const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
  fc.record({ kind: fc.constant('zero' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), length: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) }),
);

/** What a value looks like in a JSON file the spool writes: bytes as tagged base64. */
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { $otel_audit_bytes: Buffer.from(v).toString('base64') } : v)));
}

interface Built {
  data: Buffer;
  frames: { start: number; end: number; payload: Buffer }[];
}

function build(payloads: Buffer[]): Built {
  const frames: Built['frames'] = [];
  let offset = 0;
  const parts = payloads.map((p) => {
    const frame = encodeFrame(p);
    frames.push({ start: offset, end: offset + frame.length, payload: p });
    offset += frame.length;
    return frame;
  });
  return { data: Buffer.concat(parts), frames };
}

/** Applies the corruptions; returns the damaged bytes and which positions changed (truncated ones included). */
function corrupt(original: Buffer, corruptions: Corruption[]): { data: Buffer; touched: (start: number, end: number) => boolean } {
  let data = Buffer.from(original);
  const changed: [number, number][] = [];
  for (const c of corruptions) {
    const at = Math.floor(c.at * data.length);
    if (data.length === 0) break;
    if (c.kind === 'flip') {
      data[at]! ^= c.mask;
      changed.push([at, at + 1]);
    } else if (c.kind === 'overwrite' || c.kind === 'zero') {
      const bytes = c.kind === 'zero' ? Buffer.alloc(c.length) : Buffer.from(c.bytes);
      const end = Math.min(data.length, at + bytes.length);
      for (let i = at; i < end; i++) if (data[i] !== bytes[i - at]) changed.push([i, i + 1]);
      bytes.copy(data, at, 0, end - at);
    } else {
      changed.push([at, Number.POSITIVE_INFINITY]);
      data = data.subarray(0, at);
    }
  }
  return { data, touched: (start, end) => changed.some(([a, b]) => a < end && start < b) };
}

describe('record codec (property)', () => {
  it('round-trips any record: every field the exporters read, and a JSON rendering for the dead-letter file', () => {
    const decoder = new RecordDecoder();
    fc.assert(
      fc.property(record, (r) => {
        const payload = encodeRecord(r);
        expect(payload[0]).toBe(0x7b); // the scanner's resync relies on it
        const d = decoder.decode(payload);
        expect([d.hrTime, d.hrTimeObserved, d.severityNumber, d.severityText, d.eventName, d.droppedAttributesCount]).toEqual([r.hrTime, r.hrTimeObserved, r.severityNumber, r.severityText, r.eventName, r.droppedAttributesCount]);
        expect(d.body).toEqual(r.body);
        expect(d.attributes).toEqual(r.attributes);
        expect(d.resource.attributes).toEqual(r.resource.attributes);
        expect(d.resource.schemaUrl).toBe(r.resource.schemaUrl);
        expect(d.instrumentationScope).toEqual(JSON.parse(JSON.stringify(r.instrumentationScope)));
        expect(d.spanContext).toEqual(r.spanContext);
        const rendered = JSON.parse(JSON.stringify(renderRecord(payload))) as Record<string, unknown>;
        expect([rendered.eventName, rendered.severityNumber, rendered.traceId]).toEqual([r.eventName, r.severityNumber, r.spanContext?.traceId]);
        expect([rendered.body, rendered.attributes]).toEqual([asJson(r.body), asJson(r.attributes)]);
        expect(rendered.timeUnixNano).toBe((BigInt(r.hrTime[0]) * 1_000_000_000n + BigInt(r.hrTime[1])).toString());
      }),
      { numRuns: 300 },
    );
  });
});

describe('segment frame scanner (property)', () => {
  it('finds every intact frame the corruption does not overlap, invents none, and is quick', () => {
    let slowest = 0;
    fc.assert(
      fc.property(fc.array(payload, { minLength: 1, maxLength: 40 }), fc.array(corruption, { minLength: 1, maxLength: 4 }), (payloads, corruptions) => {
        const built = build(payloads);
        const { data, touched } = corrupt(built.data, corruptions);
        const started = performance.now();
        const scan = scanSegment(data);
        slowest = Math.max(slowest, performance.now() - started);
        const found = new Set(scan.frames.map((f) => `${f.start}-${f.end}`));
        for (const frame of built.frames) if (frame.end <= data.length && !touched(frame.start, frame.end)) expect(found.has(`${frame.start}-${frame.end}`)).toBe(true);
        const original = new Set(built.frames.map((f) => `${f.start}-${f.end}`));
        for (const key of found) expect(original.has(key)).toBe(true);
        // Frames, damaged ranges and the tail tile the segment without gaps.
        const pieces = [...scan.frames, ...scan.damaged].sort((a, b) => a.start - b.start);
        let at = 0;
        for (const piece of pieces) {
          expect(piece.start).toBe(at);
          at = piece.end;
        }
        expect(at).toBe(scan.validEnd);
      }),
      { numRuns: 400 },
    );
    console.log(`scanner property: slowest scan ${slowest.toFixed(2)} ms`);
    expect(slowest).toBeLessThan(250);
  });

  it('scans megabytes of garbage quickly (a resync checks few offsets)', () => {
    const good = build(Array.from({ length: 200 }, (_, i) => encodeRecord({ hrTime: [1, i], hrTimeObserved: [1, i], body: { i }, attributes: {}, droppedAttributesCount: 0, resource: resourceFromAttributes({}), instrumentationScope: { name: 'g' } })));
    // Random bytes, and a block of plausible lengths (a binary index written in the wrong place).
    const random = Buffer.from(Array.from({ length: 2 * 1024 * 1024 }, () => Math.floor(Math.random() * 256)));
    const lengths = Buffer.alloc(512 * 1024);
    for (let i = 0; i + 4 <= lengths.length; i += 4) lengths.writeUInt32LE(lengths.length - i, i);
    for (const garbage of [random, lengths]) {
      const data = Buffer.concat([good.data, garbage, good.data]);
      const started = performance.now();
      const scan = scanSegment(data);
      const took = performance.now() - started;
      console.log(`scanner: ${(garbage.length / 2 ** 20).toFixed(1)} MiB of garbage between 400 records scanned in ${took.toFixed(0)} ms`);
      expect(took).toBeLessThan(2000);
      expect(scan.frames.length).toBeGreaterThanOrEqual(400);
    }
  });

  it('reads a frame larger than a read chunk, and resynchronises after damage next to it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otel-audit-large-'));
    try {
      const large = Buffer.from(`{${'L'.repeat(700 * 1024)}}`);
      const small = Buffer.from('{"small":1}');
      const built = build([small, large, small, large, small]);
      // Damage the header of the second large frame: the last small record must still come back.
      const second = built.frames[3]!;
      built.data.writeUInt32LE(7, second.start);
      writeFileSync(join(dir, segmentName(1)), built.data);
      const log = new SegmentLog(dir, 4 * 1024 * 1024);
      expect(log.recovery).toMatchObject({ replayRecords: 4, quarantinedBytes: second.end - second.start });
      const batch = log.read(log.ack, 10);
      expect(batch.payloads.map((p) => p.length)).toEqual([small.length, large.length, small.length, small.length]);
      expect(batch.end).toEqual({ segment: 1, offset: built.data.length });
      log.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('recovery and reading on disk: never throw, deliver every intact record, and count what they deliver', () => {
    const root = mkdtempSync(join(tmpdir(), 'otel-audit-prop-'));
    let run = 0;
    try {
      fc.assert(
        fc.property(fc.array(fc.array(payload, { minLength: 1, maxLength: 15 }), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), corruption), { maxLength: 4 }), (segments, corruptions) => {
          const dir = join(root, String(run++));
          mkdirSync(dir);
          const intact: string[] = [];
          segments.forEach((payloads, i) => {
            const built = build(payloads);
            const mine = corruptions.filter(([n]) => n % segments.length === i).map(([, c]) => c);
            const { data, touched } = corrupt(built.data, mine);
            for (const frame of built.frames) if (frame.end <= data.length && !touched(frame.start, frame.end)) intact.push(frame.payload.toString('base64'));
            writeFileSync(join(dir, segmentName(i + 1)), data);
          });
          const log = new SegmentLog(dir, 1024 * 1024);
          const read: string[] = [];
          let from: Position = log.ack;
          for (;;) {
            const batch = log.read(from, 1000);
            read.push(...batch.payloads.map((p) => p.toString('base64')));
            if (batch.end.segment === from.segment && batch.end.offset === from.offset) break;
            from = batch.end;
          }
          expect(log.recovery.replayRecords).toBe(read.length);
          for (const p of intact) expect(read).toContain(p);
          log.close();
        }),
        { numRuns: 60 },
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

