// Loads a destinations file: YAML (with positions) → JSON Schema → semantic
// checks (duplicate names, literal secrets). Every problem is reported at once,
// each with the file, its line, the path inside the file and the reason.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { destinationModule } from './destinations/index.js';
import { DestinationsError, type SpecIssue } from './errors.js';
import { literalSecrets } from './secrets.js';
import { destinationsSchema, withDefaults, type DestinationsInput, type DestinationsSpec } from './spec.js';

type Segment = string | number;

let compiled: ReturnType<Ajv2020['compile']> | undefined;
function schemaValidator(): ReturnType<Ajv2020['compile']> {
  compiled ??= new Ajv2020({ allErrors: true, strict: false }).compile(destinationsSchema());
  return compiled;
}

/** `destinations[1].token` from ['destinations', 1, 'token']. */
export function formatPath(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function pointerToPath(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((raw) => {
    const s = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(s) ? Number(s) : s;
  });
}

class Locator {
  constructor(private readonly doc: Document, private readonly lines: LineCounter, private readonly file: string) {}

  /** The node at `path`, or the nearest existing ancestor; `key` points at the key of a map entry instead. */
  private rangeOf(path: readonly Segment[], key?: string): [number, number] | undefined {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      const next = (node as { get?: (k: unknown, keep: boolean) => unknown }).get?.(segment, true);
      if (next === undefined || next === null) break;
      node = next;
    }
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return [pair.key.range[0], pair.key.range[1]];
    }
    const range = (node as Node | undefined)?.range;
    return range ? [range[0], range[1]] : undefined;
  }

  issue(path: readonly Segment[], message: string, key?: string): SpecIssue {
    const range = this.rangeOf(path, key);
    const pos = range ? this.lines.linePos(range[0]) : undefined;
    const fullPath = key !== undefined ? [...path, key] : path;
    return { file: this.file, path: formatPath(fullPath), line: pos?.line, column: pos?.col, message };
  }
}

function schemaIssue(error: ErrorObject, locate: Locator, values: Map<string, unknown>): SpecIssue | undefined {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      return undefined; // its `then` branch reports the real problem
    case 'required': {
      const issue = locate.issue(path, `missing required key "${String(params.missingProperty)}"`);
      return { ...issue, path: formatPath([...path, String(params.missingProperty)]) };
    }
    case 'dependentRequired':
      return locate.issue(path, `"${String(params.property)}" needs "${String(params.missingProperty)}" too`);
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      return locate.issue(path, `unknown key "${key}"`, key);
    }
    case 'enum':
      if (path[path.length - 1] === 'type' && path[0] === 'destinations') {
        return locate.issue(path, `unknown destination type ${JSON.stringify(values.get(formatPath(path)))}; known types: ${(params.allowedValues as unknown[]).join(', ')}`);
      }
      return locate.issue(path, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'pattern':
      return locate.issue(path, `${JSON.stringify(values.get(formatPath(path)))} does not match the pattern ${String(params.pattern)}`);
    case 'not':
      return locate.issue(path, 'give either bearerToken or username/password, not both');
    default:
      return locate.issue(path, error.message ?? error.keyword);
  }
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

/** Checks the schema cannot express: unique names, secrets as env references. */
function semanticIssues(input: DestinationsInput, locate: Locator): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const firstIndex = new Map<string, number>();
  input.destinations.forEach((d, i) => {
    if (typeof d !== 'object' || d === null) return;
    if (typeof d.name === 'string') {
      const first = firstIndex.get(d.name);
      if (first !== undefined) issues.push(locate.issue(['destinations', i, 'name'], `duplicate destination name "${d.name}" (also destinations[${first}].name)`));
      else firstIndex.set(d.name, i);
    }
    const module = destinationModule(String(d.type));
    if (module) {
      const known = new Set([...Object.keys(destinationProperties()), ...Object.keys(typeProperties(module.type))]);
      for (const key of Object.keys(d)) {
        if (!known.has(key)) issues.push(locate.issue(['destinations', i], `unknown key "${key}" for type ${module.type}`, key));
      }
    }
    for (const secret of literalSecrets(d, module?.secretFields)) {
      issues.push(locate.issue(['destinations', i, ...secret.path], `"${secret.path.join('.')}" is a secret and must be an environment reference like \${env:${envNameHint(d.name, secret.path)}}, not a literal value`));
    }
  });
  return issues;
}

function envNameHint(name: unknown, path: string[]): string {
  return `${String(name)}_${path.join('_')}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** Parses and checks a destinations file's text; throws DestinationsError listing every problem. */
export function parseDestinations(text: string, file = '<memory>'): DestinationsSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new DestinationsError(doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { file, path: '', line: pos.line, column: pos.col, message: `invalid YAML: ${e.message.split('\n')[0]}` };
    }));
  }
  const data: unknown = doc.toJS();
  const locate = new Locator(doc, lines, file);
  const values = indexValues(data);
  const validate = schemaValidator();
  const issues: SpecIssue[] = [];
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      // Unknown destination keys are reported by semanticIssues, per type: ajv's
      // unevaluatedProperties also flags valid keys whenever the type's branch fails.
      if (error.keyword === 'unevaluatedProperties') continue;
      const issue = schemaIssue(error, locate, values);
      if (issue && !issues.some((i) => i.path === issue.path && i.message === issue.message)) issues.push(issue);
    }
  }
  if (typeof data === 'object' && data !== null && Array.isArray((data as DestinationsInput).destinations)) {
    issues.push(...semanticIssues(data as DestinationsInput, locate));
  }
  if (issues.length > 0) throw new DestinationsError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)));
  return withDefaults(data as DestinationsInput, file);
}

/** Reads, parses and checks a destinations file (audit-collector.yaml). */
export function loadDestinations(file: string): DestinationsSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DestinationsError([{ file, path: '', message: `cannot read the file: ${(error as Error).message}` }]);
  }
  return parseDestinations(text, file);
}
