// Walks a data schema into its fields (dotted paths), for the catalog diff and
// the catalog docs. Array items are walked under `path[]`.

export interface SchemaField {
  path: string;
  types: string[];
  required: boolean;
  description?: string;
  enum?: unknown[];
  format?: string;
}

type Schema = Record<string, unknown>;

function typesOf(schema: Schema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return (t as string[]).slice().sort();
  if (Array.isArray(schema.enum)) return [...new Set((schema.enum as unknown[]).map((v) => (v === null ? 'null' : typeof v)))].sort();
  if ('const' in schema) return [schema.const === null ? 'null' : typeof schema.const];
  return [];
}

/** Every field a data schema declares, depth first in declaration order. */
export function schemaFields(schema: Schema | undefined, prefix = ''): SchemaField[] {
  if (!schema) return [];
  const fields: SchemaField[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  for (const [key, child] of Object.entries(properties)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const field: SchemaField = { path, types: typesOf(child), required: required.has(key) };
    if (typeof child.description === 'string') field.description = child.description;
    if (Array.isArray(child.enum)) field.enum = child.enum as unknown[];
    if (typeof child.format === 'string') field.format = child.format;
    fields.push(field);
    if (child.properties) fields.push(...schemaFields(child, path));
    const items = child.items as Schema | undefined;
    if (items && typeof items === 'object' && items.properties) fields.push(...schemaFields(items, `${path}[]`));
  }
  return fields;
}
