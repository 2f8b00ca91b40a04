// Compares two catalogs for the CI gate `otel-audit catalog check`: a change
// that can break a SIEM rule or a consumer is breaking; additions are listed too.
import type { CatalogDefinition } from './catalog.js';
import { schemaFields, type SchemaField } from './schema-fields.js';

export type ChangeKind =
  | 'domain-changed'
  | 'event-removed'
  | 'field-removed'
  | 'field-retyped'
  | 'field-newly-required'
  | 'enum-narrowed'
  | 'event-added'
  | 'field-added'
  | 'field-widened'
  | 'field-no-longer-required'
  | 'enum-widened'
  | 'severity-changed'
  | 'event-deprecated';

export interface CatalogChange {
  kind: ChangeKind;
  event?: string;
  path?: string;
  message: string;
}

export interface CatalogDiff {
  breaking: CatalogChange[];
  nonBreaking: CatalogChange[];
}

export function diffCatalogs(next: CatalogDefinition, previous: CatalogDefinition): CatalogDiff {
  const breaking: CatalogChange[] = [];
  const nonBreaking: CatalogChange[] = [];
  if (next.domain !== previous.domain) {
    breaking.push({ kind: 'domain-changed', message: `domain changed from ${previous.domain} to ${next.domain}; rules and collector filters select on event.domain` });
  }
  const added = Object.keys(next.events).filter((name) => !(name in previous.events));
  for (const [name, old] of Object.entries(previous.events)) {
    const current = next.events[name];
    if (!current) {
      const twin = added.find((a) => JSON.stringify(next.events[a]?.data) === JSON.stringify(old.data) && next.events[a]?.description === old.description);
      breaking.push({ kind: 'event-removed', event: name, message: twin ? `event ${name} was renamed to ${twin}` : `event ${name} was removed` });
      continue;
    }
    if ((current.severity ?? 'info') !== (old.severity ?? 'info')) {
      nonBreaking.push({ kind: 'severity-changed', event: name, message: `event ${name}: severity changed from ${old.severity ?? 'info'} to ${current.severity ?? 'info'}` });
    }
    if (current.deprecated && !old.deprecated) nonBreaking.push({ kind: 'event-deprecated', event: name, message: `event ${name} is now deprecated` });
    diffFields(name, schemaFields(current.data), schemaFields(old.data), breaking, nonBreaking);
  }
  for (const name of added) nonBreaking.push({ kind: 'event-added', event: name, message: `event ${name} was added` });
  return { breaking, nonBreaking };
}

function diffFields(event: string, next: SchemaField[], previous: SchemaField[], breaking: CatalogChange[], nonBreaking: CatalogChange[]): void {
  const byPath = new Map(next.map((f) => [f.path, f]));
  const oldPaths = new Set(previous.map((f) => f.path));
  const at = (path: string) => `event ${event}: data.${path}`;
  for (const old of previous) {
    const current = byPath.get(old.path);
    if (!current) {
      breaking.push({ kind: 'field-removed', event, path: old.path, message: `${at(old.path)} was removed` });
      continue;
    }
    // A field with no declared type accepts anything, so dropping the type only widens it.
    const lost = current.types.length === 0 ? [] : old.types.filter((t) => !current.types.includes(t) && !(t === 'integer' && current.types.includes('number')));
    if (lost.length > 0) {
      breaking.push({ kind: 'field-retyped', event, path: old.path, message: `${at(old.path)} changed type from ${old.types.join('|')} to ${current.types.join('|') || 'any'}` });
    } else if (current.types.length > old.types.length || (old.types.length > 0 && current.types.length === 0)) {
      nonBreaking.push({ kind: 'field-widened', event, path: old.path, message: `${at(old.path)} now also accepts ${current.types.join('|') || 'any type'}` });
    }
    if (current.required && !old.required) breaking.push({ kind: 'field-newly-required', event, path: old.path, message: `${at(old.path)} is now required` });
    if (!current.required && old.required) nonBreaking.push({ kind: 'field-no-longer-required', event, path: old.path, message: `${at(old.path)} is no longer required` });
    if (old.enum) {
      const removed = current.enum ? old.enum.filter((v) => !current.enum!.some((c) => JSON.stringify(c) === JSON.stringify(v))) : [];
      if (removed.length > 0) breaking.push({ kind: 'enum-narrowed', event, path: old.path, message: `${at(old.path)} no longer allows ${removed.map((v) => JSON.stringify(v)).join(', ')}` });
      const gained = current.enum ? current.enum.filter((v) => !old.enum!.some((o) => JSON.stringify(o) === JSON.stringify(v))) : [];
      if (gained.length > 0) nonBreaking.push({ kind: 'enum-widened', event, path: old.path, message: `${at(old.path)} now also allows ${gained.map((v) => JSON.stringify(v)).join(', ')}` });
    }
  }
  for (const field of next) {
    if (oldPaths.has(field.path)) continue;
    if (field.required) breaking.push({ kind: 'field-newly-required', event, path: field.path, message: `${at(field.path)} was added as required` });
    else nonBreaking.push({ kind: 'field-added', event, path: field.path, message: `${at(field.path)} was added` });
  }
}
