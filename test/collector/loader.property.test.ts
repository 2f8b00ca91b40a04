// Properties of the destinations loader and renderer over generated input
// (fast-check): YAML-ish text with unicode, control characters, U+2028,
// `${…}` fragments and URLs with credentials either loads or is refused with
// a DestinationsError (never another exception, never a hang); a file that
// loads renders to YAML that reads back as the same values in every format
// (nothing injected through a value), and no rendered string holds a `${`
// the collector would expand except the ${env:NAME} of reference fields.
//
// The generated values use two name spaces: `${env:REF_…}` in the fields that
// may hold references (endpoints, credentials, usernames and ids, headers,
// paths) and `${env:INJ_…}` everywhere else, so a leaked reference is visible.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildCollectorConfig, DestinationsError, parseDestinations, renderCollectorConfig } from '../../src/collector/index.js';
import { destinationModule } from '../../src/collector/destinations/index.js';
import { helmConfigPart } from '../../src/collector/packaging.js';
import { envReferences, isDestinationReferenceField, isSecretName } from '../../src/collector/secrets.js';
import { destinationsSchemaPath } from '../../src/collector/spec.js';

interface SchemaNode {
  type?: string;
  enum?: unknown[];
  $ref?: string;
  pattern?: string;
  minimum?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}
const schema = JSON.parse(readFileSync(destinationsSchemaPath(), 'utf8')) as { $defs: Record<string, SchemaNode> };
const types = schema.$defs.destination!.properties!.type!.enum as string[];

/** Pieces the generated strings are made of; NS becomes REF or INJ. The loader refuses the dirty ones. */
const CLEAN = ['${env:NS_A}', '${env:NS_B}', '$$', '$', '}', '{{', '}}', 'a', 'b', 'acme', ' ', ':', ': ', ' #', '"', "'", '\\', '*', '?', '&x', '!!str ', '%', '@', '[', ']', ',', '|', 'é', '😀', '\u00a0', '\u200b'];
/** Forms of `${…}` the collector would expand but only ${env:NAME} is allowed, and only in reference fields. */
const FOREIGN = ['${NS_C}', '${file:/etc/passwd}', '${env:NS_D:-x}', '$${env:NS_E}', '${', '${env:NS_F}${env:NS_G}'];
const DIRTY = ['\u2028', '\u2029', '\u0085', '\u007f', '\u0000', '\u0007', '\u001b', '\t', '\n', '\r', '\ud800', '\udc00', '\ufeff', '\ufffe', 'https://admin:pass@host', '?api_key=abc', '&token=x', 'Bearer x', '- ', '#'];
const FRAGMENTS = [...CLEAN, ...FOREIGN, ...DIRTY];

/** A string of fragments: in reference fields only clean ones (the loader refuses the rest there), elsewhere every `${…}` form too. */
const text = (ns: 'REF' | 'INJ', dirty = false) => fc.array(fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...CLEAN) },
  { weight: ns === 'INJ' ? 4 : 0, arbitrary: fc.constantFrom(...FOREIGN) },
  { weight: dirty ? 2 : 0, arbitrary: fc.constantFrom(...DIRTY) },
  { weight: dirty ? 1 : 0, arbitrary: fc.string({ maxLength: 3, unit: 'binary' }) },
), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('').replaceAll('NS_', `${ns}_`));

const url = fc.tuple(
  fc.oneof({ weight: 6, arbitrary: fc.constant('https://') }, { weight: 1, arbitrary: fc.constantFrom('http://', '') }),
  fc.oneof({ weight: 12, arbitrary: fc.constantFrom('host.example.com', '${env:REF_U}:${env:REF_P}@host', 'h:4317') }, { weight: 1, arbitrary: fc.constantFrom('admin:pass@host', 'ftp://h') }),
  text('REF'),
  fc.oneof({ weight: 12, arbitrary: fc.constantFrom('', '?tenant=acme', '?sig=${env:REF_SIG}') }, { weight: 1, arbitrary: fc.constantFrom('?api_key=abc', '?token=t&x=1') }),
).map((parts) => parts.join(''));

const secret = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('${env:REF_SECRET}', '${env:REF_TOKEN}') }, { weight: 1, arbitrary: text('REF') });
const headerName = fc.oneof(fc.constantFrom('x-tenant', 'Authorization', 'X-Api-Key', 'x-custom', 'Cookie'), text('INJ').filter((s) => s.trim().length > 0));
const headerValue = fc.oneof(fc.constantFrom('${env:REF_H}', 'Bearer ${env:REF_H}'), text('REF'));
const name = fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: text('INJ') });

function resolve(node: SchemaNode): SchemaNode {
  return node.$ref ? resolve(schema.$defs[node.$ref.replace('#/$defs/', '')]!) : node;
}

/** A value for one key of a destination, by its schema and whether it may hold references. */
function valueFor(key: string, node: SchemaNode, secretFields: readonly string[]): fc.Arbitrary<unknown> {
  if (key === 'name') return name;
  if (key === 'dcrImmutableId') return fc.constantFrom(`dcr-${'0'.repeat(32)}`, '${env:REF_DCR}', 'dcr-bad');
  if (node.$ref === '#/$defs/tls') return fc.record({ insecureSkipVerify: fc.boolean(), caFile: text('REF') }, { requiredKeys: [] });
  const n = resolve(node);
  if (n.enum) return fc.constantFrom(...n.enum);
  if (node.$ref === '#/$defs/duration') return fc.constantFrom('1s', '200ms', 'soon');
  switch (n.type) {
    case 'integer':
      return fc.integer({ min: n.minimum ?? 0, max: 100 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      // List items of reference fields (kafka brokers) may hold references too.
      return fc.array(text(isDestinationReferenceField([key, 0], secretFields) ? 'REF' : 'INJ'), { minLength: 1, maxLength: 3 });
    case 'object':
      return fc.dictionary(headerName, headerValue, { maxKeys: 3 });
    default:
      if (isSecretName(key) || secretFields.includes(key)) return key === 'endpoint' ? fc.oneof(secret, url) : secret;
      if (key === 'endpoint') return url;
      return text(isDestinationReferenceField([key], secretFields) ? 'REF' : 'INJ');
  }
}

/** One destination of a random type: its required keys and some of its other keys. */
const destination = fc.constantFrom(...types).chain((type) => {
  const common = schema.$defs.destination!;
  const own = schema.$defs[type]!;
  const secretFields = destinationModule(type)?.secretFields ?? [];
  const properties = { ...common.properties, ...own.properties } as Record<string, SchemaNode>;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, node] of Object.entries(properties)) if (key !== 'type') model[key] = valueFor(key, node, secretFields);
  return fc.record(model, { requiredKeys: [...(common.required ?? []), ...(own.required ?? [])].filter((k) => k !== 'type') }).map((d) => ({ ...d, type }));
});

const document = fc.record({
  domain: fc.oneof({ weight: 12, arbitrary: fc.constant('acme.audit') }, { weight: 1, arbitrary: text('INJ') }),
  collector: fc.record({ queue: fc.record({ directory: text('REF') }), receiver: fc.record({ bind: fc.constantFrom('0.0.0.0', '127.0.0.1') }), batch: fc.record({ timeout: fc.constantFrom('200ms', '1s') }) }, { requiredKeys: [] }),
  // Unique names mostly (`d0`, `d1`, …), a generated one now and then.
  destinations: fc.array(destination, { minLength: 1, maxLength: 3 }).map((ds) => ds.map((d, i) => ({ ...d, name: (d as { name?: unknown }).name ?? `d${i}` }))),
}, { requiredKeys: ['domain', 'destinations'] });

/** Keys whose value has a fixed form (an enum, a pattern, a duration): a spec with anything else there is not a spec. */
const FIXED_FORM_KEYS = new Set(['name', 'type', ...Object.values(schema.$defs).flatMap((def) => Object.entries(def.properties ?? {}).filter(([, node]) => {
  const n = resolve(node);
  return n.enum !== undefined || n.pattern !== undefined;
}).map(([key]) => key))]);

/** Loads, or returns the DestinationsError; any other exception fails the property. */
function load(text: string): ReturnType<typeof parseDestinations> | DestinationsError {
  try {
    return parseDestinations(text, 'generated.yaml');
  } catch (error) {
    if (error instanceof DestinationsError) return error;
    throw error;
  }
}

/** Every string value (not key) of a JSON-like tree. */
function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, into);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) strings(v, into);
  return into;
}

/** The `${…}` the collector would expand in a string: a `${` after an even run of `$` (an odd run ends in `$${`, escaped). */
function expandedReferences(value: string): string[] {
  const found: string[] = [];
  for (const match of value.matchAll(/(\$*)\$\{/g)) {
    if (match[1]!.length % 2 === 0) {
      const rest = value.slice(match.index + match[1]!.length);
      found.push(rest.slice(0, rest.indexOf('}') + 1 || undefined));
    }
  }
  return found;
}

let loaded = 0;

/**
 * Raw characters go-yaml (the collector's and Helm's YAML reader) refuses or
 * takes for a line break; the JS yaml parser reads them back, so it cannot
 * tell. Rendered YAML may hold only tab and line feed of these, as structure.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const GO_YAML_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `referencePrefix`: the variables whose references may be expanded. Generated
 * documents put REF_ references only in reference fields; a spliced fragment
 * (INJ_) may land inside a reference field's value too, where the user's file
 * then really holds that reference, so the splice test allows both but still
 * requires every expanded reference to be well formed.
 */
function checkRendering(spec: ReturnType<typeof parseDestinations>, referencePrefix = /^REF_/, text?: string): void {
  // After a splice, a fragment can land inside a reference and make a new name (${env:acmeREF_U}): one the file itself writes.
  const expected = (name: string) => referencePrefix.test(name) || (text !== undefined && text.includes(`\${env:${name}}`));
  let built: ReturnType<typeof buildCollectorConfig>;
  try {
    built = buildCollectorConfig(spec);
  } catch (error) {
    if (error instanceof DestinationsError) return; // e.g. every destination disabled
    throw error;
  }
  loaded += 1;
  const config = JSON.parse(JSON.stringify(built.config)) as Record<string, unknown>;
  // Reads back as the same values: no value turned into keys or lines of its own.
  for (const format of ['config', 'helm', 'operator'] as const) expect(renderCollectorConfig(spec, { format })).not.toMatch(GO_YAML_UNSAFE);
  expect(parse(renderCollectorConfig(spec))).toEqual(config);
  expect(helmConfigPart(parse(renderCollectorConfig(spec, { format: 'helm' })) as Record<string, unknown>)).toEqual(config);
  expect((parse(renderCollectorConfig(spec, { format: 'operator' })) as { spec: { config: unknown } }).spec.config).toEqual(config);
  // The only references the collector expands are well-formed ${env:REF_…} of reference fields.
  for (const value of strings(config)) {
    for (const reference of expandedReferences(value)) {
      expect(reference, value).toMatch(/^\$\{env:[A-Za-z0-9_]+\}$/);
      expect(expected(reference.slice(6, -1)), value).toBe(true);
    }
  }
  expect([...envReferences(config)].filter((n) => !expected(n))).toEqual([]);
}

describe('the destinations loader on generated input', () => {
  it('loads or refuses YAML-ish text with a DestinationsError, and never hangs', () => {
    const yamlish = fc.array(fc.oneof(
      fc.constantFrom(...FRAGMENTS),
      fc.constantFrom('domain: acme.audit\n', 'destinations:\n', '  - name: a\n', '    type: debug\n', '    type: file\n    path: ', '    organizations: [', '    headers:\n      ', '\n', '  ', '    ', '---\n', '&a ', '*a', '<<: *a\n', '{', '}', '[', ']'),
      fc.string({ maxLength: 5, unit: 'binary' }),
    ), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(fc.property(yamlish, (t) => {
      const start = performance.now();
      const result = load(t);
      expect(performance.now() - start).toBeLessThan(2000);
      if (!(result instanceof DestinationsError)) checkRendering(result);
    }), { numRuns: 300 });
  });

  it('renders what it loads so that it reads back the same, with references only where they belong', () => {
    loaded = 0;
    fc.assert(fc.property(document, (doc) => {
      const result = load(stringify(doc));
      if (!(result instanceof DestinationsError)) checkRendering(result);
    }), { numRuns: 150 });
    // The generator is useful only if a fair share of its documents load.
    expect(loaded).toBeGreaterThan(10);
  });

  it('writes any string of a spec built in code (control characters, separators) so that it reads back the same', () => {
    const characters = ['\u2028', '\u2029', '\u0085', '\u007f', '\u0000', '\u0007', '\u001b', '\t', '\n', '\r', '\ufeff', '\ufffe', '\u009f', '"', "'", '\\', ': ', ' #', '- '];
    let rendered = 0;
    fc.assert(fc.property(document, fc.array(fc.constantFrom(...characters), { minLength: 1, maxLength: 8 }), (doc, extra) => {
      const spec = load(stringify(doc));
      if (spec instanceof DestinationsError) return;
      let n = 0;
      // Library callers can build any spec: add the characters to every free-text string (not names, enums, durations).
      const dirty = (value: unknown, key?: string): unknown => {
        if (typeof value === 'string') return key !== undefined && FIXED_FORM_KEYS.has(key) ? value : value + extra[n++ % extra.length]!;
        if (Array.isArray(value)) return value.map((v) => dirty(v));
        if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dirty(v, k)]));
        return value;
      };
      const mutated = { ...spec, file: `gen${extra.join('')}.yaml`, destinations: dirty(spec.destinations) as typeof spec.destinations };
      let config: unknown;
      try {
        config = JSON.parse(JSON.stringify(buildCollectorConfig(mutated).config));
      } catch (error) {
        if (error instanceof DestinationsError) return;
        throw error;
      }
      rendered += 1;
      expect(renderCollectorConfig(mutated)).not.toMatch(GO_YAML_UNSAFE);
      expect(parse(renderCollectorConfig(mutated))).toEqual(config);
      for (const format of ['helm', 'operator'] as const) {
        let text: string;
        try {
          text = renderCollectorConfig(mutated, { format });
        } catch (error) {
          // Only what Helm's and the operator's go-yaml cannot carry is refused.
          expect(error).toBeInstanceOf(DestinationsError);
          expect(JSON.stringify(config)).toMatch(/[\u007f-\u009f\u2028\u2029\ufffe]/);
          continue;
        }
        expect(text).not.toMatch(GO_YAML_UNSAFE);
        const back = parse(text) as Record<string, unknown>;
        expect(format === 'helm' ? helmConfigPart(back) : (back as { spec: { config: unknown } }).spec.config).toEqual(config);
      }
    }), { numRuns: 100 });
    expect(rendered).toBeGreaterThan(5);
  });

  it('treats a file the same after a fragment is spliced into it anywhere', () => {
    fc.assert(fc.property(document, fc.nat(), fc.constantFrom(...FRAGMENTS), (doc, at, fragment) => {
      const t = stringify(doc);
      const i = at % (t.length + 1);
      const spliced = t.slice(0, i) + fragment.replaceAll('NS_', 'INJ_') + t.slice(i);
      const result = load(spliced);
      if (!(result instanceof DestinationsError)) checkRendering(result, /^(REF|INJ)_/, spliced);
    }), { numRuns: 200 });
  });
});
