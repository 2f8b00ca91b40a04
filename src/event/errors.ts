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
    super('AUDIT_EVENT_INVALID', `audit event "${eventName}": ${path === '' ? 'the event' : path} ${reason}`, { path });
  }
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
