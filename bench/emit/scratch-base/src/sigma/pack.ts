// Pack conventions on top of the Sigma schemas: file names, SigmaHQ's required
// metadata, unique ids, ATT&CK v19 tags, the pack's logsource, contract field
// names, and event names that exist in the catalog.
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../package-root.js';
import { loadEventCatalog, type EventCatalog } from './catalog.js';
import { contract } from '../event/contract.js';
import { listYamlFiles, parseSigmaFile } from './parse.js';
import { SigmaError, type SigmaDocument, type SigmaIssue, type SigmaSource, type SourcePosition } from './types.js';
import { parseSigmaString } from './values.js';
import { validateDocuments } from './validate.js';

export interface PackConventions {
  logsource: { product: string; service: string };
  filePrefix: string;
  requiredFields: string[];
  descriptionStart: string;
  attackTactics: string[];
  replacedTags: Record<string, string>;
}

export function loadConventions(file = join(packageRoot(), 'sigma', 'conventions.yaml')): PackConventions {
  return parse(readFileSync(file, 'utf8')) as PackConventions;
}

export function defaultRulesPath(): string {
  return join(packageRoot(), 'sigma', 'rules');
}

const TAG_FORMAT = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
const ATTACK_ID = /^(t\d{4}(\.\d{3})?|g\d{4}|s\d{4}|ds\d{4}|m\d{4}|a\d{4})$/;

/** Is `field` an attribute of the contract (an attribute, an alias, or under a prefix such as audit.data.)? */
export function contractAttributes(): { names: Set<string>; prefixes: string[] } {
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of contract().fields) {
    if (entry.attribute) names.add(entry.attribute);
    for (const alias of entry.alsoAttributes ?? []) names.add(alias);
    if (entry.attributePrefix) prefixes.push(entry.attributePrefix);
  }
  return { names, prefixes };
}

/** Every `field|modifiers` key of a detection, with its value and path. */
function detectionItems(detection: Record<string, unknown>, section: string): { field: string; value: unknown; path: string }[] {
  const items: { field: string; value: unknown; path: string }[] = [];
  for (const [name, definition] of Object.entries(detection)) {
    if (name === 'condition' || name === 'rules') continue;
    const maps = Array.isArray(definition) ? definition : [definition];
    maps.forEach((map, index) => {
      if (typeof map !== 'object' || map === null || Array.isArray(map)) return;
      const at = Array.isArray(definition) ? `${section}.${name}[${index}]` : `${section}.${name}`;
      for (const [key, value] of Object.entries(map as Record<string, unknown>)) items.push({ field: key.split('|')[0]!, value, path: `${at}.${key}` });
    });
  }
  return items;
}

function eventNameKnown(value: string, catalog: EventCatalog): boolean {
  const names = Object.keys(catalog.events);
  const tokens = parseSigmaString(value);
  if (!tokens.some((t) => t.wildcard)) return names.some((n) => n.toLowerCase() === value.toLowerCase());
  const regex = new RegExp('^' + tokens.map((t) => (t.wildcard ? (t.text === '*' ? '.*' : '.') : t.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('') + '$', 'i');
  return names.some((n) => regex.test(n));
}

export interface PackCheckOptions {
  /** The catalog rule event names are checked against (a user's own, loaded with loadCatalog); default: the bundled example catalog when the pack conventions apply, otherwise none. */
  catalog?: EventCatalog;
  conventions?: PackConventions;
  /** The bundled pack's own conventions (file names, SigmaHQ metadata, no hard-coded event.domain, the example catalog); default: on when the bundled rules are checked. */
  packConventions?: boolean;
}

/**
 * Issues of the documents of a pack beyond the Sigma specification
 * (validateDocuments): always unique ids and names, ATT&CK v19 tags, the log
 * source and contract attribute names the pipelines and the engine need, and
 * event names against `options.catalog`; with `packConventions`, also the
 * bundled pack's own conventions.
 */
export function conventionIssues(documents: readonly SigmaDocument[], options: PackCheckOptions = {}): SigmaIssue[] {
  const conventions = options.conventions ?? loadConventions();
  const pack = options.packConventions ?? true;
  const catalog = options.catalog ?? (pack ? loadEventCatalog() : undefined);
  const contract = contractAttributes();
  const issues: SigmaIssue[] = [];
  const issue = (doc: SigmaDocument, path: string, message: string, severity: SigmaIssue['severity'] = 'error') => issues.push({ file: doc.source.file, document: doc.source.document, path, message, severity });

  const byFile = new Map<string, SigmaDocument[]>();
  for (const doc of documents) byFile.set(doc.source.file, [...(byFile.get(doc.source.file) ?? []), doc]);
  for (const [file, docs] of pack ? byFile : new Map<string, SigmaDocument[]>()) {
    const name = basename(file);
    const first = docs[0]!;
    const hasCorrelation = docs.some((d) => d.kind === 'correlation');
    const hasFilter = docs.some((d) => d.kind === 'filter');
    const prefix = hasCorrelation ? `mr_${conventions.filePrefix}` : hasFilter ? `mf_${conventions.filePrefix}` : conventions.filePrefix;
    if (!/^[a-z0-9_]{10,90}\.yml$/.test(name.length >= 14 ? name : '')) issue(first, '(file name)', `"${name}" must be 14-94 characters of [a-z0-9_] ending in .yml`);
    if (!name.startsWith(prefix)) issue(first, '(file name)', `"${name}" must start with ${prefix}`);
    if (first.kind !== (hasCorrelation ? 'correlation' : first.kind)) issue(first, '(document 0)', 'a correlation file starts with the correlation, then its rules');
  }

  const ids = new Map<string, SigmaDocument>();
  const names = new Map<string, SigmaDocument>();
  for (const doc of documents) {
    const rule = doc.rule;
    const main = doc.source.document === 0 || documents.find((d) => d.source.file === doc.source.file) === doc;
    if (!rule.id) issue(doc, 'id', 'every document needs an id (a UUID)');
    else if (ids.has(rule.id)) issue(doc, 'id', `duplicate id ${rule.id} (also in ${ids.get(rule.id)!.source.file})`);
    else ids.set(rule.id, doc);
    if (rule.name) {
      if (names.has(rule.name)) issue(doc, 'name', `duplicate name ${rule.name} (also in ${names.get(rule.name)!.source.file})`);
      names.set(rule.name, doc);
    }
    if (pack && main && doc.kind !== 'filter') {
      for (const field of conventions.requiredFields) if (rule[field] === undefined) issue(doc, field, `missing "${field}" (SigmaHQ rule convention)`);
      if (typeof rule.description === 'string' && !rule.description.startsWith(conventions.descriptionStart)) issue(doc, 'description', `must start with "${conventions.descriptionStart}"`);
    }
    if (!main && doc.kind === 'rule' && !rule.name) issue(doc, 'name', 'a rule inside a correlation file needs a name for the correlation to reference');
    (rule.tags ?? []).forEach((tag, index) => {
      const at = `tags[${index}]`;
      if (!TAG_FORMAT.test(tag)) return issue(doc, at, `"${tag}" is not namespace.value in lower case`);
      const replaced = conventions.replacedTags[tag];
      if (replaced) return issue(doc, at, `"${tag}" is not in ATT&CK v19; use ${replaced}`);
      const [namespace, ...rest] = tag.split('.');
      const value = rest.join('.');
      if (namespace === 'attack' && !ATTACK_ID.test(value) && !conventions.attackTactics.includes(value)) issue(doc, at, `"${tag}" is neither an ATT&CK v19 tactic nor a technique, group, software, data source, mitigation or asset id`);
    });
    if (doc.kind === 'rule' || doc.kind === 'filter') {
      const ls = doc.rule.logsource ?? {};
      if (ls.product !== conventions.logsource.product || ls.service !== conventions.logsource.service) {
        issue(doc, 'logsource', `must be {product: ${conventions.logsource.product}, service: ${conventions.logsource.service}}: the pipelines and \`sigma convert --domain\` apply to that log source`);
      }
      const detection = doc.kind === 'rule' ? doc.rule.detection : doc.rule.filter;
      if (typeof detection !== 'object' || detection === null) continue;
      for (const item of detectionItems(detection, doc.kind === 'rule' ? 'detection' : 'filter')) {
        if (item.field === '') continue;
        if (!contract.names.has(item.field) && !contract.prefixes.some((p) => item.field.startsWith(p))) {
          issue(doc, item.path, `"${item.field}" is not an attribute of schemas/contract.json`);
        }
        if (item.field === 'event.name') {
          const values = Array.isArray(item.value) ? item.value : [item.value];
          if (catalog) for (const value of values) if (typeof value === 'string' && !eventNameKnown(value, catalog)) issue(doc, item.path, `event "${value}" is not defined in the catalog${options.catalog ? ` (domain ${catalog.domain})` : ' (sigma/catalog.yaml, the example catalog: check your rules against yours with --catalog)'}`);
        }
        if (item.field === 'event.domain') {
          const values = (Array.isArray(item.value) ? item.value : [item.value]).filter((v): v is string => typeof v === 'string');
          if (pack) issue(doc, item.path, 'the bundled pack\'s rules must not hard-code event.domain: each deployment has its own (`sigma convert --domain` adds it; see docs/sigma.md)');
          else if (options.catalog) for (const value of values) if (value !== catalog!.domain) issue(doc, item.path, `event.domain "${value}" is not the catalog's domain "${catalog!.domain}"`);
        }
      }
    }
  }
  return issues;
}

export interface CheckResult {
  files: number;
  /** The rule files checked, in order. */
  checkedFiles: string[];
  documents: number;
  issues: SigmaIssue[];
}

export interface CheckOptions extends PackCheckOptions {
  /** Only the Sigma specification checks (validateDocuments), none of conventionIssues. */
  skipConventions?: boolean;
}

/** Is every path the bundled rules folder (or inside it)? */
function isBundledPack(paths: readonly string[]): boolean {
  const bundled = resolve(defaultRulesPath());
  return paths.every((path) => {
    const at = relative(bundled, resolve(path));
    return at === '' || (!at.startsWith('..') && !isAbsolute(at));
  });
}

/**
 * Where an issue's path is in its file; for a key that is missing, where its
 * parent is (the document's first line at the top), as linters report a missing
 * property at the object that lacks it.
 */
function nearestPosition(source: SigmaSource, path: string): SourcePosition | undefined {
  for (let p = path; ;) {
    const position = source.positionOf?.(p);
    if (position || p === '') return position;
    const parent = p.replace(/(?:\.[^.[\]]*|\[\d+\])$/, '');
    p = parent === p ? '' : parent;
  }
}

/**
 * `otel-audit sigma check`: parse, the Sigma schemas, custom checks, the
 * checks the pipelines need (conventionIssues), and the bundled pack's own
 * conventions when the bundled rules are checked or `packConventions` is set.
 */
export function checkPack(paths: readonly string[] = [defaultRulesPath()], options: CheckOptions = {}): CheckResult {
  const files = listYamlFiles(paths);
  const documents: SigmaDocument[] = [];
  const issues: SigmaIssue[] = [];
  for (const file of files) {
    try {
      documents.push(...parseSigmaFile(file));
    } catch (error) {
      if (!(error instanceof SigmaError)) throw error;
      issues.push({ file: error.file ?? file, document: 0, path: error.path, message: error.reason, severity: 'error', ...(error.line !== undefined ? { line: error.line, column: error.column } : {}) });
    }
  }
  const more = [...validateDocuments(documents)];
  if (!options.skipConventions) more.push(...conventionIssues(documents, { ...options, packConventions: options.packConventions ?? isBundledPack(paths) }));
  for (const issue of more) {
    const doc = documents.find((d) => d.source.file === issue.file && d.source.document === issue.document);
    const position = doc ? nearestPosition(doc.source, issue.path) : undefined;
    issues.push(position ? { ...issue, line: position.line, column: position.column } : issue);
  }
  return { files: files.length, checkedFiles: files, documents: documents.length, issues };
}
