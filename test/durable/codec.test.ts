// A spooled record comes back exactly as emitted: every field the OTLP exporters
// read, for any body and attributes (bytes included), sharing resource and scope objects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { encodeRecord, RecordDecoder } from '../../src/delivery/durable/record-codec.js';

const scalar = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)) /* JSON, like OTLP/JSON, has no -0 */, fc.boolean(), fc.uint8Array({ maxLength: 8 }));
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie('value'), { maxKeys: 3 })),
})).value;

describe('record codec', () => {
  it('round-trips any record', () => {
    const resource = resourceFromAttributes({ 'service.name': 'svc', 'host.id': 'h1' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' });
    const scope = { name: 'audit', version: '1.2.3', schemaUrl: 'https://example.com/s', attributes: { team: 'sec' } };
    const decoder = new RecordDecoder();
    fc.assert(
      fc.property(anyValue, fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), anyValue, { maxKeys: 5 }), fc.option(fc.string()), fc.integer({ min: 0, max: 24 }), (body, attributes, eventName, severityNumber) => {
        const record: ReadableLogRecord = {
          hrTime: [1_763_700_000, 123_456_789],
          hrTimeObserved: [1_763_700_001, 5],
          severityNumber,
          severityText: 'INFO',
          body,
          eventName: eventName ?? undefined,
          attributes,
          droppedAttributesCount: 0,
          resource,
          instrumentationScope: scope,
          spanContext: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
        };
        const decoded = decoder.decode(encodeRecord(record));
        expect(decoded.body).toEqual(body);
        expect(decoded.attributes).toEqual(attributes);
        expect(decoded.eventName).toEqual(record.eventName);
        expect([decoded.hrTime, decoded.hrTimeObserved, decoded.severityNumber, decoded.severityText]).toEqual([record.hrTime, record.hrTimeObserved, severityNumber, 'INFO']);
        expect(decoded.spanContext).toEqual(record.spanContext);
        expect(decoded.resource.attributes).toEqual(resource.attributes);
        expect(decoded.resource.schemaUrl).toBe(resource.schemaUrl);
        expect(decoded.instrumentationScope).toEqual(scope);
      }),
      { numRuns: 300 },
    );
    // Records of one resource and scope share the same objects (the OTLP serializer groups by identity).
    const a = decoder.decode(encodeRecord({ hrTime: [1, 0], hrTimeObserved: [1, 0], attributes: {}, droppedAttributesCount: 0, resource, instrumentationScope: scope }));
    const b = decoder.decode(encodeRecord({ hrTime: [2, 0], hrTimeObserved: [2, 0], attributes: {}, droppedAttributesCount: 0, resource, instrumentationScope: scope }));
    expect(a.resource).toBe(b.resource);
    expect(a.instrumentationScope).toBe(b.instrumentationScope);
  });
});
