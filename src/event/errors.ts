// Errors that name what is wrong and where, so a developer can fix the call
// or the file without reading our code.

/** An event does not match the catalog: unknown name, data failing its schema, circular or oversized data. */
export class AuditValidationError extends Error {
  override readonly name = 'AuditValidationError';
  constructor(
    /** The event name as given by the caller. */
    readonly eventName: string,
    /** Where in the event the problem is, e.g. `data.repo.id` (`` for the whole event). */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`audit event "${eventName}": ${path === '' ? 'the event' : path} ${reason}`);
  }
}

/** A catalog file or definition is malformed. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  constructor(
    /** The file, or `<defineCatalog>` for a catalog defined in code. */
    readonly file: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${file}: ${path === '' ? '(root)' : path}: ${reason}`);
  }
}
