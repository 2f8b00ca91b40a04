// Secrets in a destinations file must be environment references, so the file
// can live in git. A field is a secret by its name (token, password, apiKey,
// connectionString, ...) or because its destination type says so (a Sumo Logic
// source URL embeds its credential).

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** `${env:NAME}`, optionally after an auth scheme word (`Bearer ${env:NAME}` in a header). */
const SECRET_VALUE = /^(?:[A-Za-z]+ )?\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/;
const SECRET_NAME_ENDINGS = ['token', 'password', 'passwd', 'secret', 'apikey', 'accesskey', 'privatekey', 'connectionstring', 'authorization', 'cookie'];

/** True when a key (or header name) names a secret. */
export function isSecretName(key: string): boolean {
  const normal = key.toLowerCase().replace(/[_-]/g, '');
  return normal === 'key' || SECRET_NAME_ENDINGS.some((ending) => normal.endsWith(ending));
}

export function isEnvReference(value: string): boolean {
  return SECRET_VALUE.test(value);
}

/** Every `${env:NAME}` name used anywhere in a value tree. */
export function envReferences(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const match of value.matchAll(ENV_REF)) into.add(match[1]!);
  } else if (Array.isArray(value)) {
    for (const item of value) envReferences(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) envReferences(item, into);
  }
  return into;
}

export interface LiteralSecret {
  /** Path segments below the destination, e.g. ['headers', 'Authorization']. */
  path: string[];
}

/** The secret fields of one destination that hold a literal instead of an env reference. */
export function literalSecrets(destination: Record<string, unknown>, extraSecretFields: readonly string[] = []): LiteralSecret[] {
  const found: LiteralSecret[] = [];
  const visit = (value: unknown, path: string[]) => {
    const key = path[path.length - 1];
    if (typeof value === 'string' && key !== undefined && (isSecretName(key) || (path.length === 1 && extraSecretFields.includes(key)))) {
      if (!isEnvReference(value)) found.push({ path });
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [child, v] of Object.entries(value)) visit(v, [...path, child]);
    }
  };
  for (const [key, value] of Object.entries(destination)) visit(value, [key]);
  return found;
}
