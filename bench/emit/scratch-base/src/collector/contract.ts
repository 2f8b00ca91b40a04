// The parts of the attribute contract (schemas/contract.json) the collector
// config filters and redacts on. Read from the file, never copied, so a renamed
// attribute or a changed sensitive-key rule changes the rendered config.
import { OtelAuditError } from '../errors.js';
import { contract as readContract } from '../event/contract.js';

export interface CollectorContract {
  domainAttribute: string;
  nameAttribute: string;
  organizationAttribute: string;
  idAttribute: string;
  dataPrefix: string;
  /** Matches a sensitive `audit.data.*` attribute key. */
  sensitiveAttributePattern: string;
  /** The same rule for one key of a nested map (the body's `data` object). */
  sensitiveKeyPattern: string;
  /**
   * The same names as cheap RE2 patterns, one per first letter and its case
   * (`p(?i:assword|asswd|rivate[_-]?key)$`, `P(?i:…)$`, …): "the key ends with
   * a sensitive name". Go's regexp jumps to the literal first letter, so a key
   * without it costs almost nothing, where the anchored pattern walks every
   * character through every name. For an `audit.data.*` attribute or a body
   * key they decide like the contract's pattern (test/collector/contract.test.ts);
   * they also match a non-contract attribute that ends with a sensitive name.
   */
  sensitiveSuffixPatterns: string[];
  /** The contract's secret shapes (bearer tokens, JWTs, cloud keys…), RE2 patterns for the redaction processor's blocked_values. */
  sensitiveValuePatterns: string[];
  /** The name of each of sensitiveValuePatterns (jwt, bearer, …), in the same order. */
  sensitiveValuePatternNames: string[];
  replacement: string;
  /** The attribute and value the emitter sets on records it has already redacted. */
  emitterMark: { attribute: string; value: string };
  /** Every fixed attribute name of the contract (not the audit.data.* ones). */
  attributes: string[];
}

let cached: CollectorContract | undefined;

/**
 * `[^.]*(?:[Pp][Aa]…|[Tt][Oo]…)$` (the contract's last-segment rule) → the
 * suffix patterns described on `sensitiveSuffixPatterns`.
 */
export function suffixPatterns(lastSegmentRule: string): string[] {
  const shape = /^\[\^\.\]\*\(\?:(.+)\)\$$/.exec(lastSegmentRule);
  const fail = (why: string) => new OtelAuditError('INTERNAL', `schemas/contract.json sensitive.attributePattern: ${why}; update suffixPatterns in src/collector/contract.ts`);
  if (!shape) throw fail(`its last segment rule "${lastSegmentRule}" is not [^.]*(?:name|name|…)$`);
  const byLetter = new Map<string, string[]>();
  for (const alternative of shape[1]!.split('|')) {
    // Each name is a run of [Xx] letter classes and optional [_-]? separators.
    const tokens = alternative.match(/\[([a-zA-Z])([a-zA-Z])\]|\[_-\]\?/g) ?? [];
    if (tokens.join('') !== alternative) throw fail(`the name "${alternative}" is not made of [Xx] letter classes and [_-]?`);
    const name = tokens.map((t) => (t === '[_-]?' ? t : t[1]!.toLowerCase())).join('');
    const first = name[0]!;
    if (!/[a-z]/.test(first)) throw fail(`the name "${alternative}" does not start with a letter`);
    byLetter.set(first, [...(byLetter.get(first) ?? []), name.slice(1)]);
  }
  return [...byLetter].flatMap(([letter, rests]) => [letter, letter.toUpperCase()].map((l) => `${l}(?i:${rests.join('|')})$`));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function collectorContract(): CollectorContract {
  if (cached) return cached;
  const contract = readContract();
  const field = (name: string) => {
    const entry = contract.fields.find((f) => f.field === name);
    const value = entry?.attribute ?? entry?.attributePrefix;
    if (!value) throw new OtelAuditError('INTERNAL', `schemas/contract.json has no attribute for the field "${name}"`);
    return value;
  };
  const dataPrefix = field('data');
  const pattern = contract.sensitive.attributePattern;
  // The attribute rule is `^<prefix>(?:.+\.)?<last segment rule>$`; the body's
  // nested keys are single segments, so they get `^<last segment rule>$`.
  const head = `^${escapeRegex(dataPrefix)}(?:.+\\.)?`;
  if (!pattern.startsWith(head)) throw new OtelAuditError('INTERNAL', `schemas/contract.json sensitive.attributePattern no longer starts with ${head}; update src/collector/contract.ts`);
  cached = {
    domainAttribute: field('domain'),
    nameAttribute: field('name'),
    organizationAttribute: field('organization'),
    idAttribute: field('id'),
    dataPrefix,
    sensitiveAttributePattern: pattern,
    sensitiveKeyPattern: `^${pattern.slice(head.length)}`,
    sensitiveSuffixPatterns: suffixPatterns(pattern.slice(head.length)),
    sensitiveValuePatterns: contract.sensitive.valuePatterns.map((p) => p.regex),
    sensitiveValuePatternNames: contract.sensitive.valuePatterns.map((p) => p.name),
    replacement: contract.sensitive.replacement,
    emitterMark: contract.sensitive.emitterMark,
    attributes: contract.fields.flatMap((f) => [...(f.attribute ? [f.attribute] : []), ...(f.alsoAttributes ?? [])]),
  };
  return cached;
}

/**
 * A JavaScript RegExp deciding like the RE2 pattern, for the ASCII subset these
 * patterns use: `(?i:…)` groups become `[xX]` classes (Node 22 lacks modifiers).
 */
export function jsRegExp(re2: string): RegExp {
  const folded = re2.replace(/\(\?i:([^()]*)\)/g, (_, body: string) =>
    `(?:${body.replace(/\[[^\]]*\]|[a-zA-Z]/g, (m) => (m.length === 1 ? `[${m.toLowerCase()}${m.toUpperCase()}]` : m))})`);
  return new RegExp(folded);
}

export { escapeRegex };
