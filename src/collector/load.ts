// Loads a destinations file: YAML (with positions) → JSON Schema → semantic
// checks (duplicate names, literal secrets and credentials, references where
// they are not expanded). Every problem is reported at once, each with the
// file, its line, the path inside the file and the reason.
//
// The file may come from anyone who can open a pull request, so its size and
// shape are bounded before any of it is trusted (docs/collector.md, "Limits
// and what is refused"): MAX_FILE_BYTES before parsing, MAX_DEPTH levels of
// nesting before the YAML composer (which recurses) runs, MAX_ALIAS_COUNT
// alias expansions (a "billion laughs" document), MAX_VALUES values once
// aliases are resolved, duplicate keys checked in linear time, and no control
// characters anywhere.
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { Composer, CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, YAMLParseError, type Document, type Node, type Pair } from 'yaml';
import { destinationModule } from './destinations/index.js';
import { DestinationsError, type SpecIssue } from './errors.js';
import { credentialIssues, hasForeignReference, isCollectorReferenceField, isDestinationReferenceField, isSecretName, printable } from './secrets.js';
import { destinationsSchema, withDefaults, type DestinationsInput, type DestinationsSpec } from './spec.js';

type Segment = string | number;

/** The largest destinations file read (1 MiB); a real one is a few kilobytes. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Maps and lists nest at most this deep (a real file needs 4: destinations[0].headers.X). */
export const MAX_DEPTH = 16;
/** Alias expansions allowed while reading the YAML (yaml's `maxAliasCount`). */
export const MAX_ALIAS_COUNT = 100;
/**
 * Values (maps, lists and scalars) the file may hold once its aliases are
 * resolved; a real file has a few hundred. Aliases share one object, so 100
 * of them (under MAX_ALIAS_COUNT) to a list of 60,000 items would make every
 * check walk 6 million values.
 */
export const MAX_VALUES = 50_000;
/** At most this many problems are listed; a last line says how many more there are. */
export const MAX_ISSUES = 100;

let compiled: ReturnType<Ajv2020['compile']> | undefined;
function schemaValidator(): ReturnType<Ajv2020['compile']> {
  // verbose: errors carry their schema node, for `patternErrorMessage` and the known keys of a map.
  compiled ??= new Ajv2020({ allErrors: true, strict: false, verbose: true }).compile(destinationsSchema());
  return compiled;
}

const PLAIN_KEY = /^[A-Za-z0-9_$@:/-]*$/;

/** `destinations[1].token` from ['destinations', 1, 'token']; an unusual key is quoted (`headers["a b"]`). */
export function formatPath(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : PLAIN_KEY.test(s) && s !== '' ? (i === 0 ? s : `.${s}`) : `[${printable(s, 200)}]`)).join('');
}

function pointerToPath(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((raw) => {
    const s = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(s) ? Number(s) : s;
  });
}

class Locator {
  /** Per map node: its pairs by key, built on first use (a map may have many thousand keys). */
  private readonly pairs = new WeakMap<object, Map<unknown, Pair>>();

  constructor(private readonly doc: Document, private readonly lines: LineCounter, private readonly file: string) {}

  private pairOf(node: object, key: unknown): Pair | undefined {
    if (!isMap(node)) return undefined;
    let index = this.pairs.get(node);
    if (!index) {
      index = new Map();
      for (const pair of node.items) if (isPair(pair) && isScalar(pair.key) && !index.has(pair.key.value)) index.set(pair.key.value, pair);
      this.pairs.set(node, index);
    }
    return index.get(key) ?? (typeof key === 'number' ? index.get(String(key)) : undefined);
  }

  /** The node at `path`, or the nearest existing ancestor; `key` points at the key of a map entry instead. */
  private rangeOf(path: readonly Segment[], key?: string): [number, number] | undefined {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      let next: unknown;
      if (isMap(node)) next = this.pairOf(node, segment)?.value;
      else if (isSeq(node) && typeof segment === 'number') next = node.items[segment];
      if (next === undefined || next === null || isAlias(next)) break;
      node = next;
    }
    if (key !== undefined && isMap(node)) {
      const pair = this.pairOf(node, key);
      if (pair && isScalar(pair.key) && pair.key.range) return [pair.key.range[0], pair.key.range[1]];
    }
    const range = (node as Node | undefined)?.range;
    return range ? [range[0], range[1]] : undefined;
  }

  issue(path: readonly Segment[], message: string, key?: string): SpecIssue {
    const range = this.rangeOf(path, key);
    return this.at(range?.[0], key !== undefined ? [...path, key] : path, message);
  }

  at(offset: number | undefined, path: readonly Segment[], message: string): SpecIssue {
    const pos = offset !== undefined ? this.lines.linePos(offset) : undefined;
    return { file: this.file, path: formatPath(path), line: pos?.line, column: pos?.col, message };
  }
}

/** The Levenshtein distance of two short strings, or undefined when it is over `max`. */
function distance(a: string, b: string, max: number): number | undefined {
  if (Math.abs(a.length - b.length) > max) return undefined;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, current[j]!);
    }
    if (best > max) return undefined;
    previous = current;
  }
  return previous[b.length]! <= max ? previous[b.length] : undefined;
}

/** `; did you mean "index"?` for the closest known key within 2 edits (case ignored), or ''. */
export function suggestion(key: string, known: Iterable<string>): string {
  let best: { key: string; d: number } | undefined;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase(), 2);
    if (d !== undefined && (!best || d < best.d || (d === best.d && candidate < best.key))) best = { key: candidate, d };
  }
  return best ? `; did you mean "${best.key}"?` : '';
}

/** A value quoted for a message: never for endpoints and secrets (they may hold credentials), shortened and escaped. */
function quoteValue(path: readonly Segment[], value: unknown): string {
  const key = path[path.length - 1];
  if (typeof key === 'string' && (key === 'endpoint' || isSecretName(key) || path.includes('headers'))) return 'the value';
  return typeof value === 'string' ? printable(value, 60) : JSON.stringify(value) ?? String(value);
}

/** The schema's pattern on secret fields: the loader's rule (secrets.ts isEnvReference) for editors. */
export const SECRET_FIELD_PATTERN = '^\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\}$';

function schemaIssue(error: ErrorObject, locate: Locator, values: Map<string, unknown>): SpecIssue | undefined {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as { properties?: Record<string, unknown>; patternErrorMessage?: string };
  switch (error.keyword) {
    case 'if':
      return undefined; // its `then` branch reports the real problem
    case 'false schema':
      // The only key the schema forbids outright: collector.kafka without collector.intake: kafka.
      return locate.issue(path, `is read only when collector.intake is "kafka" (here it is ${quoteValue(['collector', 'intake'], values.get('collector.intake') ?? 'otlp')}); set collector.intake: kafka to read from Kafka, or remove collector.kafka`);
    case 'required': {
      if (path.length === 1 && path[0] === 'collector' && params.missingProperty === 'kafka') {
        return locate.issue(path, 'is "kafka", so collector.kafka must say which topic to read: its brokers and topic (docs/collector.md, "Gateway tier (Kafka intake)")', 'intake');
      }
      // A destination without a type: only that is said, not every type's required keys.
      if (path.length === 2 && path[0] === 'destinations' && params.missingProperty !== 'type' && typeof values.get(formatPath([...path, 'type'])) !== 'string') return undefined;
      const issue = locate.issue(path, `missing required key "${String(params.missingProperty)}"`);
      return { ...issue, path: formatPath([...path, String(params.missingProperty)]) };
    }
    case 'dependentRequired':
      return locate.issue(path, `"${String(params.property)}" needs "${String(params.missingProperty)}" too`);
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      return locate.issue(path, `unknown key ${printable(key)}${suggestion(key, Object.keys(parent.properties ?? {}))}`, key);
    }
    case 'enum':
      if (path[path.length - 1] === 'type' && path[0] === 'destinations') {
        return locate.issue(path, `unknown destination type ${quoteValue(path, values.get(formatPath(path)))}; known types: ${(params.allowedValues as unknown[]).join(', ')}`);
      }
      return locate.issue(path, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'pattern': {
      // A secret field's pattern (editors flag a literal secret with it): semanticIssues says the same, with a variable named after this destination.
      if ((parent as { pattern?: string }).pattern === SECRET_FIELD_PATTERN) return undefined;
      // The schema's own words (patternErrorMessage, which editors show too), never the raw regex.
      const what = parent.patternErrorMessage ?? 'does not have the expected form (see schemas/destinations.schema.json)';
      return locate.issue(path, `${quoteValue(path, values.get(formatPath(path)))} ${what}`);
    }
    case 'type':
      // A number where a quantity or a secret reference belongs (cpu: 2): the field's own words say what to write.
      if (parent.patternErrorMessage && (parent as { type?: unknown }).type === 'string') return locate.issue(path, `${quoteValue(path, values.get(formatPath(path)))} ${parent.patternErrorMessage}`);
      return locate.issue(path, error.message ?? error.keyword);
    case 'not': {
      // Every type's branch applies to a destination that is not a map at all; "must be object" says what is wrong.
      const value = values.get(formatPath(path));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      return locate.issue(path, 'give either bearerToken or username/password, not both');
    }
    default:
      return locate.issue(path, error.message ?? error.keyword);
  }
}

/** YAML 1.1 merge keys (`<<: *defaults`): YAML 1.2, which this file is read as, has none, so the keys would silently not be there. */
function mergeKeyIssues(value: unknown, locate: Locator, path: Segment[] = [], into: SpecIssue[] = []): SpecIssue[] {
  if (Array.isArray(value)) value.forEach((item, i) => mergeKeyIssues(item, locate, [...path, i], into));
  else if (typeof value === 'object' && value !== null) {
    if (Object.hasOwn(value, '<<')) into.push(locate.issue(path, '"<<" (a YAML merge key) is not supported: write the keys out (aliases of whole values, *name, work)', '<<'));
    for (const [key, member] of Object.entries(value)) mergeKeyIssues(member, locate, [...path, key], into);
  }
  return into;
}

/** Values by path, for messages that quote them. */
function indexValues(value: unknown, path: Segment[] = [], into = new Map<string, unknown>()): Map<string, unknown> {
  into.set(formatPath(path), value);
  if (Array.isArray(value)) value.forEach((v, i) => indexValues(v, [...path, i], into));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) indexValues(v, [...path, k], into);
  return into;
}

function destinationProperties(): Record<string, unknown> {
  return (destinationsSchema().$defs.destination?.properties ?? {});
}

function typeProperties(type: string): Record<string, unknown> {
  return (destinationsSchema().$defs[type]?.properties ?? {});
}

const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;

/** UPPER_SNAKE words of a key: apiKey → API_KEY, X-Api-Key → X_API_KEY. */
function envWords(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/**
 * The variable a secret's message suggests, from its own destination and
 * field: an opensearch destination "search" → SEARCH_PASSWORD, a header
 * X-Api-Key of "vendor" → VENDOR_X_API_KEY. The destination's type stands in
 * for a missing or malformed name.
 */
export function envNameHint(destination: Record<string, unknown>, path: readonly (string | number)[]): string {
  const type = typeof destination.type === 'string' && destinationModule(destination.type) ? destination.type : 'destination';
  const name = typeof destination.name === 'string' && NAME_PATTERN.test(destination.name) ? destination.name : type;
  const field = path.filter((p, i) => !(i === 0 && p === 'headers')).map((p) => envWords(String(p))).filter(Boolean).join('_') || 'SECRET';
  const hint = `${envWords(name)}_${field}`;
  return /^[A-Z_]/.test(hint) ? hint : `${envWords(type)}_${hint}`;
}

/** Every string of a value tree with its path below the tree (iteratively; the depth is bounded before). */
function strings(value: unknown, path: Segment[] = []): [Segment[], string][] {
  const out: [Segment[], string][] = [];
  const visit = (v: unknown, p: Segment[]) => {
    if (typeof v === 'string') out.push([p, v]);
    else if (Array.isArray(v)) v.forEach((item, i) => visit(item, [...p, i]));
    else if (typeof v === 'object' && v !== null) for (const [k, item] of Object.entries(v)) visit(item, [...p, k]);
  };
  visit(value, path);
  return out;
}

const FOREIGN_REFERENCE = 'holds a "${" that is not an ${env:NAME} reference: only ${env:NAME} is expanded here (${NAME}, ${env:NAME:-default}, ${file:…} and other forms are refused)';

/** Checks the schema cannot express: unique names, unknown keys per type, credentials, references. */
function semanticIssues(input: DestinationsInput, locate: Locator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const firstIndex = new Map<string, number>();
  input.destinations.forEach((d, i) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return;
    const destination = d as unknown as Record<string, unknown>;
    if (typeof d.name === 'string') {
      const first = firstIndex.get(d.name);
      if (first !== undefined) issues.push(locate.issue(['destinations', i, 'name'], `duplicate destination name ${printable(d.name)} (also destinations[${first}].name)`));
      else firstIndex.set(d.name, i);
    }
    const module = destinationModule(String(d.type));
    if (module) {
      const known = new Set([...Object.keys(destinationProperties()), ...Object.keys(typeProperties(module.type))]);
      for (const key of Object.keys(d)) {
        if (!known.has(key)) issues.push(locate.issue(['destinations', i], `unknown key ${printable(key)} for type ${module.type}${suggestion(key, known)}`, key));
      }
    }
    const flagged = new Set<string>();
    for (const found of credentialIssues(destination, { secretFields: module?.secretFields, hint: (path) => envNameHint(destination, path) })) {
      flagged.add(found.path.join('\u0000'));
      issues.push(locate.issue(['destinations', i, ...found.path], found.message));
    }
    for (const [path, value] of strings(destination)) {
      if (flagged.has(path.join('\u0000'))) continue;
      if (isDestinationReferenceField(path, module?.secretFields) && hasForeignReference(value)) issues.push(locate.issue(['destinations', i, ...path], FOREIGN_REFERENCE));
    }
  });
  if (typeof input.collector === 'object' && input.collector !== null) {
    const flagged = new Set<string>();
    // The gateway's brokers are checked as a kafka destination's are (user:password@ and the like).
    const kafka = (input.collector as Record<string, unknown>).kafka;
    if (typeof kafka === 'object' && kafka !== null && !Array.isArray(kafka)) {
      for (const found of credentialIssues(kafka as Record<string, unknown>, { hint: (path) => `KAFKA_${envWords(path.join('_'))}` })) {
        flagged.add(['kafka', ...found.path].join('\u0000'));
        issues.push(locate.issue(['collector', 'kafka', ...found.path], found.message));
      }
    }
    for (const [path, value] of strings(input.collector)) {
      if (flagged.has(path.join('\u0000'))) continue;
      if (isCollectorReferenceField(path) && hasForeignReference(value)) issues.push(locate.issue(['collector', ...path], FOREIGN_REFERENCE));
    }
  }
  return issues;
}

/** What the file may not contain anywhere: C0/C1 controls, DEL, line/paragraph separators, BOM, non-characters, lone surrogates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describeCharacter(ch: string): string {
  const code = ch.charCodeAt(0);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0x2028) return `${hex} (line separator)`;
  if (code === 0x2029) return `${hex} (paragraph separator)`;
  if (code >= 0xd800 && code <= 0xdfff) return `${hex} (a lone surrogate: not valid Unicode)`;
  if (code === 0xfeff) return `${hex} (byte order mark)`;
  if (code === 0xfffe || code === 0xffff) return `${hex} (not a character)`;
  return `${hex} (a control character)`;
}

/** Control characters and the like in any key or string value. */
function characterIssues(data: unknown, locate: Locator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const check = (text: string, path: Segment[], what: string, key?: string) => {
    const match = FORBIDDEN_CHARACTER.exec(text);
    if (!match) return;
    const message = `${what} contains ${describeCharacter(match[0])} at character ${match.index + 1}; control characters, line and paragraph separators and lone surrogates are not allowed in a destinations file`;
    issues.push(key !== undefined ? locate.issue(path, message, key) : locate.issue(path, message));
  };
  const visit = (value: unknown, path: Segment[]) => {
    if (typeof value === 'string') check(value, path, 'the value');
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
    else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        check(k, path, 'the key', k);
        visit(v, [...path, k]);
      }
    }
  };
  visit(data, []);
  return issues;
}

/**
 * A first, cheap look at the nesting, over the lexer's tokens, that stops at
 * the first sign of too much of it: yaml's parser takes seconds for 400,000
 * nested `[` (it is not linear in the depth), so it must not see them. Flow
 * collections are counted exactly; block ones by the columns their items start
 * at (a stack of indentations, which can count a list under a key at the same
 * indentation as one level with it: at most half the real depth, and a scalar
 * item as one more, hence the one level of slack). The CST check after the
 * parser (tooDeep) then applies MAX_DEPTH exactly.
 * Returns the offset where the nesting gets too deep, or undefined.
 */
function lexicallyTooDeep(text: string): number | undefined {
  const columns: number[] = [];
  let flow = 0;
  let offset = 0;
  let lineStart = 0;
  let atLineStart = true;
  let afterIndicator = false;
  let scalarNext = false;
  const enter = (column: number) => {
    while (columns.length > 0 && columns[columns.length - 1]! >= column) columns.pop();
    columns.push(column);
    return columns.length + flow > MAX_DEPTH + 1;
  };
  for (const token of new Lexer().lex(text)) {
    // Control tokens are not source text: DOCUMENT, FLOW_END and SCALAR (the marker before a scalar's source).
    if (token === CST.DOCUMENT || token === CST.FLOW_END) continue;
    if (token === CST.SCALAR) {
      scalarNext = true;
      continue;
    }
    const start = offset;
    offset += token.length;
    const type = scalarNext ? 'scalar' : CST.tokenType(token);
    scalarNext = false;
    switch (type) {
      case 'newline':
        atLineStart = true;
        lineStart = offset;
        afterIndicator = false;
        continue;
      case 'space':
      case 'comment':
      case 'comma':
      case 'anchor':
      case 'tag':
      case 'byte-order-mark':
        continue;
      case 'doc-start':
      case 'doc-end':
        columns.length = 0;
        flow = 0;
        continue;
      case 'flow-seq-end':
      case 'flow-map-end':
        flow = Math.max(0, flow - 1);
        continue;
      default:
        break;
    }
    if (flow === 0 && (atLineStart || afterIndicator || type === 'seq-item-ind' || type === 'explicit-key-ind')) {
      if (enter(start - lineStart)) return start;
    }
    atLineStart = false;
    // After `- ` or `? ` a compact collection may start on the same line (`- a: 1`); after `key: ` only a scalar or a flow collection.
    afterIndicator = flow === 0 && (type === 'seq-item-ind' || type === 'explicit-key-ind');
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      flow += 1;
      if (columns.length + flow > MAX_DEPTH + 1) return start;
    }
    if (type === 'scalar' && token.includes('\n')) {
      // A block scalar or a multi-line plain or quoted one: its last line is where the text goes on.
      lineStart = start + token.lastIndexOf('\n') + 1;
      atLineStart = token.endsWith('\n');
    }
  }
  return undefined;
}

/** The offset of the first collection nested deeper than MAX_DEPTH in the CST (walked without recursion). */
function tooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: [CST.Token, number][] = [];
  for (const token of tokens) if (token.type === 'document' && token.value) stack.push([token.value, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth + 1 > MAX_DEPTH) return token.offset;
    for (const item of token.items as { key?: CST.Token | null; value?: CST.Token }[]) {
      if (item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
  return undefined;
}

/**
 * What is wrong with the shape of plain data once aliases are resolved: nested
 * deeper than MAX_DEPTH (or an alias to its own ancestor), or more than
 * MAX_VALUES values. Walked without recursion, stopping at the first excess.
 */
function dataShapeProblem(data: unknown): string | undefined {
  const stack: [unknown, number][] = [[data, 0]];
  let values = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (++values > MAX_VALUES) return `it holds more than ${MAX_VALUES} values (counting each use of an alias); a destinations file holds a few hundred`;
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > MAX_DEPTH) return `maps and lists are nested more than ${MAX_DEPTH} levels deep once its aliases are resolved, or an alias refers to its own ancestor`;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** Duplicate keys in every map, in linear time (yaml's own check is quadratic in the keys of a map). */
function duplicateKeyIssues(doc: Document, locate: Locator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const visit = (node: unknown, path: Segment[]) => {
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) {
          visit(pair.value, path);
          continue;
        }
        const key = pair.key.value;
        if (seen.has(key)) issues.push(locate.at(pair.key.range?.[0], [...path, String(key)], `duplicate key ${printable(String(key))}`));
        seen.add(key);
        visit(pair.value, [...path, typeof key === 'number' ? key : String(key)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, i]));
    }
  };
  visit(doc.contents, []);
  return issues;
}

function tooLarge(file: string, bytes?: number): DestinationsError {
  const size = bytes !== undefined ? `${bytes} bytes` : 'larger than that';
  return new DestinationsError([{ file, path: '', message: `the file is ${size}, over the limit of 1 MiB (${MAX_FILE_BYTES} bytes) for a destinations file` }]);
}

/** The YAML document, or a DestinationsError; bounded in depth before the (recursive) composer runs. */
function parseYaml(text: string, file: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const early = lexicallyTooDeep(text);
  const tokens = early === undefined ? Array.from(new Parser(lines.addNewLine).parse(text)) : [];
  if (early !== undefined) {
    // The lines up to there, as the parser would have counted them.
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < early; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  }
  const deep = early ?? tooDeep(tokens);
  if (deep !== undefined) {
    const pos = lines.linePos(deep);
    throw new DestinationsError([{ file, path: '', line: pos.line, column: pos.col, message: `maps and lists are nested more than ${MAX_DEPTH} levels deep here; a destinations file needs a handful` }]);
  }
  let doc: Document | undefined;
  // uniqueKeys: false, duplicateKeyIssues reports them in linear time.
  for (const composed of new Composer({ uniqueKeys: false, prettyErrors: false }).compose(tokens, true, text.length)) {
    if (!doc) doc = composed;
    else {
      doc.errors.push(new YAMLParseError([composed.range[0], composed.range[1]], 'MULTIPLE_DOCS', 'the file holds more than one YAML document (---); a destinations file is one'));
      break;
    }
  }
  return { doc: doc!, lines };
}

/** Parses and checks a destinations file's text; throws DestinationsError listing every problem. */
export function parseDestinations(text: string, file = '<memory>'): DestinationsSpec {
  if (text.length > MAX_FILE_BYTES || Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) throw tooLarge(file, Buffer.byteLength(text, 'utf8'));
  const { doc, lines } = parseYaml(text, file);
  if (doc.errors.length > 0) {
    throw new DestinationsError(doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { file, path: '', line: pos.line, column: pos.col, message: `invalid YAML: ${e.message.split('\n')[0]}` };
    }));
  }
  const locate = new Locator(doc, lines, file);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof ReferenceError && /alias/i.test(error.message)
      ? `its aliases (*name) expand too much (over ${MAX_ALIAS_COUNT} expansions): a "billion laughs" document?`
      : `its YAML cannot be read as data: ${(error as Error).message.split('\n')[0]}`;
    throw new DestinationsError([{ file, path: '', message: reason }]);
  }
  const shape = dataShapeProblem(data);
  if (shape !== undefined) throw new DestinationsError([{ file, path: '', message: shape }]);
  const values = indexValues(data);
  const issues: SpecIssue[] = [...duplicateKeyIssues(doc, locate), ...characterIssues(data, locate), ...mergeKeyIssues(data, locate)];
  const validate = schemaValidator();
  const seen = new Set<string>();
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      // Unknown destination keys are reported by semanticIssues, per type: ajv's
      // unevaluatedProperties also flags valid keys whenever the type's branch fails.
      if (error.keyword === 'unevaluatedProperties') continue;
      const issue = schemaIssue(error, locate, values);
      const id = `${issue?.path}\u0000${issue?.message}`;
      if (issue && !seen.has(id)) {
        seen.add(id);
        issues.push(issue);
      }
    }
  }
  if (typeof data === 'object' && data !== null && Array.isArray((data as DestinationsInput).destinations)) {
    issues.push(...semanticIssues(data as DestinationsInput, locate));
  }
  if (issues.length > 0) {
    const sorted = issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    if (sorted.length > MAX_ISSUES) {
      const more = sorted.length - MAX_ISSUES;
      throw new DestinationsError([...sorted.slice(0, MAX_ISSUES), { file, path: '', message: `and ${more} more problem${more === 1 ? '' : 's'} (only the first ${MAX_ISSUES} are listed)` }]);
    }
    throw new DestinationsError(sorted);
  }
  return withDefaults(data as DestinationsInput, file);
}

/**
 * The bytes as UTF-8 text; invalid UTF-8 is refused at its line, not turned
 * into U+FFFD (a path or name would silently become another one).
 */
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // The longest prefix that decodes (a sequence cut at its end is held back, not refused): binary search.
    let low = 0;
    let high = bytes.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        low = mid;
      } catch {
        high = mid - 1;
      }
    }
    // The invalid sequence starts at the end of the longest prefix that decodes whole (at most 3 bytes back).
    let offset = low;
    while (offset > 0 && !isUtf8(bytes.subarray(0, offset))) offset--;
    const before = bytes.subarray(0, offset);
    let line = 1;
    for (const byte of before) if (byte === 0x0a) line++;
    const column = offset - (before.lastIndexOf(0x0a) + 1) + 1;
    const hex = `0x${bytes[offset]!.toString(16).toUpperCase().padStart(2, '0')}`;
    throw new DestinationsError([{ file, path: '', line, column, message: `the file is not valid UTF-8 (byte ${hex} at byte ${offset + 1}); save it as UTF-8` }]);
  }
}

/** The file's text, read no further than MAX_FILE_BYTES (a FIFO or /dev/zero does not fill the memory). */
function readBounded(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new DestinationsError([{ file, path: '', message: `cannot read the file: ${(error as Error).message}` }]);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > MAX_FILE_BYTES) throw tooLarge(file, stat.size);
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(64 * 1024);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_FILE_BYTES) throw tooLarge(file);
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return decodeUtf8(Buffer.concat(chunks), file);
  } catch (error) {
    if (error instanceof DestinationsError) throw error;
    throw new DestinationsError([{ file, path: '', message: `cannot read the file: ${(error as Error).message}` }]);
  } finally {
    closeSync(fd);
  }
}

/** Reads, parses and checks a destinations file (audit-collector.yaml). */
export function loadDestinations(file: string): DestinationsSpec {
  return parseDestinations(readBounded(file), file);
}
