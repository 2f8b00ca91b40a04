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
    names: string[];
    attributePattern: string;
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
