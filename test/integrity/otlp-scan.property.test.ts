// The OTLP scanner (verify's fast path for the file exporter's lines) finds
// exactly the bodies JSON.parse would give, or gives up: for random requests
// written with duplicate members, escaped member names, `__proto__`, any
// whitespace, and for the same text damaged one character at a time (which it
// must never accept when JSON.parse refuses it). And a request written so that
// a reader that is not JSON.parse would see another body is never proven intact.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { createAuditLogger } from '../../src/index.js';
import { publicKeys, readTrail, verifyTrail } from '../../src/integrity/index.js';
import { scanRequestBodies } from '../../src/integrity/otlp-scan.js';
import { parsedBodies } from './parsed-bodies.js';
import { catalog } from '../emit/fixtures/catalog.js';

/** A JSON text tree, so that duplicate members and any spelling of a name can be written. */
type Node = { object: [string, Node][] } | { array: Node[] } | { text: string };

const space = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r', ' \n ');

function write(node: Node, spaces: () => string): string {
  if ('text' in node) return node.text;
  if ('array' in node) return `[${spaces()}${node.array.map((item) => `${write(item, spaces)}${spaces()}`).join(`,${spaces()}`)}]`;
  return `{${spaces()}${node.object.map(([key, value]) => `${key}${spaces()}:${spaces()}${write(value, spaces)}${spaces()}`).join(`,${spaces()}`)}}`;
}

/** A member name as JSON text: plain, or with characters written as \u escapes (both are the same name to JSON.parse). */
const spelling = (name: string) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(JSON.stringify(name)) },
    { weight: 1, arbitrary: fc.nat().map((n) => { const at = name.length === 0 ? 0 : n % name.length; return `"${name.slice(0, at)}${[...name.slice(at, at + 1)].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}${name.slice(at + 1)}"`.replace(/\\u([0-9a-f]{4})/, (m, hex: string) => (n % 2 ? `\\u${hex.toUpperCase()}` : m)); }) },
  );

const scalarText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00"', '""', '"\\ud800"', '"body"'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('0', '-0', '1E+2', '0.5e-3', '-12.25E2', '1e400', 'true', 'false', 'null'),
);
const otherName = fc.constantFrom('attributes', 'value', 'key', 'stringValue', '__proto__', 'Body', 'body ', 'bodY', 'resource', 'x', '');

const json: fc.Arbitrary<Node> = fc.letrec<{ value: Node; array: Node; object: Node }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalarText.map((text): Node => ({ text })), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }).map((array): Node => ({ array })),
  object: fc.array(fc.tuple(otherName.chain(spelling), tie('value')), { maxLength: 3 }).map((object): Node => ({ object })),
})).value;

/** An object with the named members (spelled any way, repeated now and then) among others. */
function objectWith(members: [string, fc.Arbitrary<Node>][]): fc.Arbitrary<Node> {
  const named = members.map(([name, value]) => fc.array(fc.tuple(spelling(name), fc.oneof({ weight: 5, arbitrary: value }, { weight: 1, arbitrary: json })), { maxLength: 2 }));
  const others = fc.array(fc.tuple(otherName.chain(spelling), json), { maxLength: 2 });
  return fc.tuple(fc.tuple(...named), others, fc.nat()).map(([lists, extra, seed]) => {
    const all = [...lists.flat(), ...extra];
    // a stable shuffle from the seed, so duplicates and other members interleave
    const object = all.map((member, i) => ({ member, order: (seed * (i + 7)) % 13 })).sort((a, b) => a.order - b.order).map(({ member }) => member);
    return { object };
  });
}

const arrayOf = (item: fc.Arbitrary<Node>) => fc.array(fc.oneof({ weight: 6, arbitrary: item }, { weight: 1, arbitrary: json }), { maxLength: 3 }).map((array): Node => ({ array }));
/**
 * An AnyValue as the file exporter writes it (the scanner's fast path), with
 * near misses it must leave to JSON.parse: members it does not expect, an
 * integer as a number, null values, escaped or repeated keys.
 */
const kvKey = fc.oneof(fc.constantFrom('a', 'b', '__proto__', 'toString', '', 'é', 'id').map((k) => JSON.stringify(k)), fc.constantFrom('"a\\u0062"', '"\\u005f_proto__"', '"\\n"', '"q\\"x"', '"b\\\\"'), fc.string({ unit: 'binary', maxLength: 4 }).map((k) => JSON.stringify(k)));
const anyText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary', maxLength: 8 }).map((v) => `{"stringValue":${JSON.stringify(v)}}`),
    fc.constantFrom('0', '-0', '12', '9007199254740993', '-9007199254740991', 'abc', '', '1e3', ' 7', '0x10').map((v) => `{"intValue":${JSON.stringify(v)}}`),
    fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)), fc.constantFrom('-0', '1E400', '0.1', '5e-324', '"NaN"', '"Infinity"')).map((v) => `{"doubleValue":${v}}`),
    fc.constantFrom('{"boolValue":true}', '{"boolValue":false}', '{}', '{"intValue":7}', '{"stringValue":null}', '{"stringValue":"a","intValue":"1"}', '{"intValue":"1","stringValue":"a"}', '{"bytesValue":"AAE="}', '{"kvlistValue":{}}', '{"arrayValue":{"values":[]},"x":1}', '{"arrayValue":{"values":5}}', '{"kvlistValue":{"values":[null]}}', '{"boolValue":"true"}', '{"s\u0074ringValue":"x"}'),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `{"arrayValue":{"values":[${items.join(',')}]}}`),
    fc.array(fc.tuple(kvKey, fc.option(tie('value'), { freq: 8 })), { maxLength: 4 }).map((members) => `{"kvlistValue":{"values":[${members.map(([key, value]) => (value === null ? `{"key":${key}}` : `{"key":${key},"value":${value}}`)).join(',')}]}}`),
  ),
})).value;
const record = objectWith([['body', fc.oneof({ weight: 3, arbitrary: anyText.map((text): Node => ({ text })) }, { weight: 1, arbitrary: json })], ['attributes', json]]);
const scope = objectWith([['logRecords', arrayOf(record)]]);
const resource = objectWith([['scopeLogs', arrayOf(scope)]]);
const request = objectWith([['resourceLogs', arrayOf(resource)]]);
const requestText = fc.tuple(request, fc.array(space, { minLength: 64, maxLength: 64 })).map(([node, spaces]) => {
  let n = 0;
  return `${spaces[63]}${write(node, () => spaces[n++ % 63]!)}${spaces[62]}`;
});

/** What is read from a line: the decoded bodies, the error decoding them raised, or nothing (not JSON, not a request). */
type Read = { bodies: unknown[] } | { error: string } | undefined;

/** As verify read OTLP lines before the scanner: JSON.parse, then decodeAnyValue of each record's body. */
function parsedRead(text: string): Read {
  try {
    const bodies = parsedBodies(text);
    return bodies && { bodies };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function scannedBodies(text: string): Read {
  try {
    const bodies = scanRequestBodies(text);
    return bodies && { bodies };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** A body for the AnyValue fast path: what the file exporter writes, from a JSON value. */
const anyValue = (value: unknown): unknown =>
  typeof value === 'string' ? { stringValue: value } : typeof value === 'number' ? (Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value }) : typeof value === 'boolean' ? { boolValue: value } : value === null ? {} : Array.isArray(value) ? { arrayValue: { values: value.map(anyValue) } } : { kvlistValue: { values: Object.entries(value as object).map(([key, v]) => ({ key, value: anyValue(v) })) } };

/** One character deleted, inserted or replaced, from the characters that matter to JSON. */
const damage = (text: string) =>
  fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom('"', '\\', ',', ':', '{', '}', '[', ']', '\u0001', '\u001f', 'x', 'u', '0', '-', '.', 'e', ' ', '\u00a0', '\ufeff', 't', 'n')).map(([at, how, c]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    return how === 'delete' ? text.slice(0, i) + text.slice(i + 1) : how === 'insert' ? text.slice(0, i) + c + text.slice(i) : text.slice(0, i) + c + text.slice(i + 1);
  });

describe('scanRequestBodies', () => {
  it('finds the bodies JSON.parse gives, for requests with duplicate members, escaped names, __proto__ and any whitespace', () => {
    let requests = 0;
    fc.assert(
      fc.property(requestText, (text) => {
        const expected = parsedRead(text);
        expect(JSON.parse(text)).toBeDefined(); // the generator writes JSON
        // it gives up only when the last resourceLogs is not an array: then the line is not a request
        expect(scannedBodies(text)).toEqual(expected);
        if (expected) requests++;
      }),
      { numRuns: 3000 },
    );
    expect(requests).toBeGreaterThan(1500);
  });

  it('never accepts text JSON.parse refuses, and agrees with it on what it accepts, one character damaged', () => {
    let refused = 0;
    fc.assert(
      fc.property(requestText.chain(damage), (text) => {
        const expected = parsedRead(text);
        let json = true;
        try {
          JSON.parse(text);
        } catch {
          json = false;
          refused++;
        }
        const scanned = scannedBodies(text);
        if (!json) expect(scanned).toBeUndefined();
        else expect(scanned).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
    expect(refused).toBeGreaterThan(1000);
  });

  it('reads the awkward cases as JSON.parse does', () => {
    const cases = [
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"a"},"body":{"stringValue":"b"}}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"bo\\u0064y":{"stringValue":"b"}},{"\\u0062ody":1,"body":2},{"__proto__":{"body":3}},5,[{"body":4}],null]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":1}]}],"scopeLogs":[{"logRecords":[{"body":2}]}]}]}',
      // attribute lists as the exporter writes them (one native match), deeper or escaped ones (checked a character at a time)
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"stringValue":"x"}},{"key":"n","value":{"intValue":"1"}},{"key":"d","value":{"doubleValue":-1.5e-3}},{"key":"b","value":{"boolValue":false}}],"body":{}}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[[[[1]]]],"body":{}}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":{"a":{"b":{"c":{"d":null}}}},"body":{}}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":["\\"",{"a\\u0062":[]}],"body":{}}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[],"body":{}}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":{},"body":{}}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[[],{},""],"body":{}}]}]}]}',
      // escapes read by the decoder before it gives up on a value it does not expect, then read again by the checker
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"kvlistValue":{"values":[{"key":"a\\"b","value":{"stringValue":"x"}},{"key":"c\\\\","value":{"intValue":7}},{"key":"\\"}]}}","value":{"x":1}}]}}},{"body":{"stringValue":"y\\""}}]}]}]}',
      '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":1}]}]}],"resourceLogs":[]}',
      '{"resourceLogs":[],"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":1}],"logRecords":{"0":{"body":2}}}]}]}',
      ' \t\r\n{ "resourceLogs" : [ { "scopeLogs" : [ { "logRecords" : [ { "body" : { "kvlistValue" : { "values" : [ ] } } } ] } ] } ] } \n',
      `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":${'['.repeat(600)}${']'.repeat(600)},"body":1}]}]}]}`,
    ];
    for (const text of cases) {
      const scanned = scannedBodies(text);
      // deeper than the scanner follows: it gives up, and the line is parsed whole
      if (text.includes('['.repeat(600))) expect(scanned).toBeUndefined();
      else expect(scanned).toEqual(parsedRead(text));
    }
    for (const bad of ['{"resourceLogs":[]}x', '{"resourceLogs":[{"a":"\u0001"}]}', '{"resourceLogs":[01]}', '{"resourceLogs":[1.]}', '{"resourceLogs":["\\x"]}', '{"resourceLogs":["\\u12"]}', '{"resourceLogs":[],}', '{"resourceLogs":[tru]}', '\ufeff{"resourceLogs":[]}', '{"resourceLogs":[]', '{"resourceLogs":["a]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"stringValue":"\u0001"}}],"body":{}}]}]}]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[1,],"body":{}}]}]}]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":{"a":1,},"body":{}}]}]}]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":{"a"},"body":{}}]}]}]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[01],"body":{}}]}]}]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"a":[1.]}],"body":{}}]}]}]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[-],"body":{}}]}]}]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":{"a":tru},"body":{}}]}]}]}', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"stringValue":"x}}],"body":{}}]}]}]}']) {
      expect(() => JSON.parse(bad) as unknown).toThrow();
      expect(scanRequestBodies(bad)).toBeUndefined();
    }
  });
  it('reads a request with an attribute list too long for one regular expression match', () => {
    const attributes = `[${Array.from({ length: 1_000_000 }, (_, i) => `{"key":"k${i}","value":{"stringValue":"v"}}`).join(',')}]`;
    const text = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":${attributes},"body":{"stringValue":"x"}}]}]}]}`;
    expect(scannedBodies(text)).toEqual({ bodies: ['x'] });
    expect(scannedBodies(text.replace(/}]}]}]}$/, ',}]}]}]}'))).toBeUndefined();
  });
});

describe('verify of OTLP lines written to fool a reader', () => {
  it('never proves intact a request whose body JSON.parse reads as another one (duplicate or escaped member names), nor a malformed one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keys = publicKeys([publicKey.export({ type: 'spki', format: 'pem' }).toString()]);
    const exporter = new InMemoryLogRecordExporter();
    const audit = createAuditLogger({ catalog, exporter, integrity: { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), digestEvery: 4 } });
    for (let i = 0; i < 6; i++) audit.emit('repo.fork', { actor: { id: `u-${i}` }, data: { repo: { id: `r-${i}`, visibility: 'private' }, forks: i, deployKey: 'k' } });
    await audit.integrity!.digest();
    await audit.flush();
    const bodies = exporter.getFinishedLogRecords().map((r) => r.body as Record<string, unknown>);
    await audit.shutdown();
    const recordText = (body: unknown) => `{"attributes":[],"body":${JSON.stringify(anyValue(body))}}`;
    const request = (records: string[]) => `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${records.join(',')}]}]}]}`;
    const genuine = bodies.map(recordText);
    // the first three records in the line under attack, the others in a second line (lines are read one at a time)
    const line = (records: string[]) => `${request(records.slice(0, 3))}\n${request(genuine.slice(3))}\n`;
    expect(verifyTrail(readTrail(line(genuine), 'f').records, { keys })).toMatchObject({ ok: true });

    const forged = structuredClone(bodies[1]!);
    (forged.actor as { id: string }).id = 'attacker';
    const forgedValue = JSON.stringify(anyValue(forged));
    const fooled = [
      // a second body after the genuine one: JSON.parse reads the forged one
      line(genuine.map((r, i) => (i === 1 ? r.replace(/}$/, `,"body":${forgedValue}}`) : r))),
      line(genuine.map((r, i) => (i === 1 ? r.replace(/}$/, `,"bo\\u0064y":${forgedValue}}`) : r))),
      // a second list of records after the genuine one
      line(genuine).replace(/]}]}]}\n/, `],"logRecords":[${genuine.slice(0, 3).map((r, i) => (i === 1 ? `{"body":${forgedValue}}` : r)).join(',')}]}]}]}\n`),
      // a raw control character in an attribute: not JSON, so nothing of the line may count
      line(genuine.map((r, i) => (i === 1 ? r.replace('"attributes":[]', '"attributes":["\u0001"]') : r))),
    ];
    for (const text of fooled) {
      const read = readTrail(text, 'f');
      const report = verifyTrail(read.records, { keys });
      expect(report.ok).toBe(false);
      expect(report.exitCode).toBe(1);
      if (read.unreadable.length === 0) expect(report.streams[0]!.modified).toMatchObject([{ seq: 2 }]);
    }
  });
});
