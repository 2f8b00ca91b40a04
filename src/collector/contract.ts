// The parts of the attribute contract (schemas/contract.json) the collector
// config filters and redacts on. Read from the file, never copied, so a renamed
// attribute or a changed sensitive-key rule changes the rendered config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../tools/cache.js';

interface ContractFile {
  fields: { field: string; attribute?: string; alsoAttributes?: string[]; attributePrefix?: string }[];
  sensitive: { attributePattern: string; replacement: string };
}

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
  replacement: string;
  /** Every fixed attribute name of the contract (not the audit.data.* ones). */
  attributes: string[];
}

let cached: CollectorContract | undefined;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function collectorContract(): CollectorContract {
  if (cached) return cached;
  const contract = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'contract.json'), 'utf8')) as ContractFile;
  const field = (name: string) => {
    const entry = contract.fields.find((f) => f.field === name);
    const value = entry?.attribute ?? entry?.attributePrefix;
    if (!value) throw new Error(`schemas/contract.json has no attribute for the field "${name}"`);
    return value;
  };
  const dataPrefix = field('data');
  const pattern = contract.sensitive.attributePattern;
  // The attribute rule is `^<prefix>(?:.+\.)?<last segment rule>$`; the body's
  // nested keys are single segments, so they get `^<last segment rule>$`.
  const head = `^${escapeRegex(dataPrefix)}(?:.+\\.)?`;
  if (!pattern.startsWith(head)) throw new Error(`schemas/contract.json sensitive.attributePattern no longer starts with ${head}; update src/collector/contract.ts`);
  cached = {
    domainAttribute: field('domain'),
    nameAttribute: field('name'),
    organizationAttribute: field('organization'),
    idAttribute: field('id'),
    dataPrefix,
    sensitiveAttributePattern: pattern,
    sensitiveKeyPattern: `^${pattern.slice(head.length)}`,
    replacement: contract.sensitive.replacement,
    attributes: contract.fields.flatMap((f) => [...(f.attribute ? [f.attribute] : []), ...(f.alsoAttributes ?? [])]),
  };
  return cached;
}

export { escapeRegex };
