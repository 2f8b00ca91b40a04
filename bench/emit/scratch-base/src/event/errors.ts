// Errors that name what is wrong and where, so a developer can fix the call
// or the file without reading our code.
import { OtelAuditError } from '../errors.js';

/** An event does not match the catalog: unknown name, data failing its schema, circular or oversized data. */
export class AuditValidationError extends OtelAuditError {
  override readonly name = 'AuditValidationError';
  constructor(
    /** The event name as given by the caller. */
    readonly eventName: string,
    /** Where in the event the problem is, e.g. `data.repo.id` (`` for the whole event). */
    override readonly path: string,
    readonly reason: string,
  ) {
    super('AUDIT_EVENT_INVALID', `audit event "${shorten(eventName)}": ${path === '' ? 'the event' : shorten(path)} ${reason}`, { path });
  }
}

/** Longest name or path quoted in full in a message: a hostile 8 MB name must not become an 8 MB log line. */
const MAX_QUOTED = 256;

function shorten(text: string): string {
  return typeof text === 'string' && text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}… (${text.length} characters)` : text;
}

/** A catalog file or definition is malformed. */
export class CatalogError extends OtelAuditError {
  override readonly name = 'CatalogError';
  constructor(
    /** The file, or `<defineCatalog>` for a catalog defined in code. */
    override readonly file: string,
    override readonly path: string,
    readonly reason: string,
  ) {
    super('CATALOG_INVALID', `${file}: ${path === '' ? '(root)' : path}: ${reason}`, { file, path });
  }
}
