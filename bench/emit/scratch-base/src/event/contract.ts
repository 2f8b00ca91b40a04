// The attribute contract (schemas/contract.json), read once. Every name the
// emitter writes comes from here, so a renamed attribute fails the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { OtelAuditError } from '../errors.js';

export interface ContractField {
  /** Dotted path in the canonical event (`actor.id`), or `domain` for the catalog's domain. */
  field: string;
  attribute?: string;
  alsoAttributes?: string[];
  recordField?: 'eventName' | 'timestamp' | 'severityNumber';
  attributePrefix?: string;
  from?: 'catalog';
  required: boolean;
  notes?: string;
}

export interface Contract {
  version: number;
  fields: ContractField[];
  body: string;
  severities: Record<'info' | 'warning' | 'alert' | 'critical', { number: number; text: string }>;
  outcomes: string[];
  sensitive: {
    /** A data path is sensitive when, lower-cased with `_`, `-` and `.` removed, it ends with one of these. */
    names: string[];
    /** The name rule as a regular expression over one `audit.data.*` attribute key (for the collector). */
    attributePattern: string;
    /**
     * Secrets inside string values, applied in order: the first capturing group
     * (else the whole match) is replaced. `regex` is RE2 syntax that means the
     * same in JavaScript; every match contains one of `triggers` and is at
     * least `minLength` characters long.
     */
    valuePatterns: { name: string; regex: string; triggers: string[]; minLength: number; description: string }[];
    replacement: string;
    /** The attribute the emitter sets on every record it redacted; the collector skips those. */
    emitterMark: { attribute: string; value: string };
  };
}

let cached: Contract | undefined;

/** The contract, parsed from schemas/contract.json. */
export function contract(): Contract {
  cached ??= JSON.parse(readFileSync(contractPath(), 'utf8')) as Contract;
  return cached;
}

export function contractPath(): string {
  return join(packageRoot(), 'schemas', 'contract.json');
}

/** The contract row for a canonical field; throws if the contract lacks it (a renamed row). */
export function contractField(field: string): ContractField {
  const row = contract().fields.find((f) => f.field === field);
  if (!row) throw new OtelAuditError('INTERNAL', `schemas/contract.json: no row for the canonical field "${field}"`);
  return row;
}
