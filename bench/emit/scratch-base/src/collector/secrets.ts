// Secrets in a destinations file must be environment references, so the file
// can live in git. A field is a secret by its name (token, password, apiKey,
// connectionString, ...) or because its destination type says so (a Sumo Logic
// source URL embeds its credential). Credentials are also refused where no
// field name says "secret": user:password@ in a URL, credential-looking query
// parameters, and header values.
//
// The collector expands `${…}` in every string value of its config (and turns
// `$$` into `$`). Only the fields listed in REFERENCE_FIELDS may hold
// `${env:NAME}` references; everywhere else a `$` is written as `$$` so the
// collector reads back exactly what the file says (see escapeDollars).

const ENV_NAME = '[A-Za-z_][A-Za-z0-9_]*';
/** A `${env:NAME}` reference, with the run of `$` in front of it (a `$$` escapes). */
const ENV_REF_WITH_DOLLARS = new RegExp(`(\\$+)\\{env:(${ENV_NAME})\\}`, 'g');
const EXACT_ENV_REF = new RegExp(`^\\$\\{env:${ENV_NAME}\\}$`);

/**
 * Authorization schemes a header value may put before its reference
 * (`Authorization: Bearer ${env:TOKEN}`). Only these: any other text before a
 * reference could be part of the secret.
 */
export const AUTH_SCHEMES = ['Bearer', 'Basic', 'Splunk', 'Token', 'ApiKey', 'Key', 'GenieKey', 'SSWS', 'DSN'] as const;
const HEADER_ENV_REF = new RegExp(`^(?:(?:${AUTH_SCHEMES.join('|')}) )?\\$\\{env:${ENV_NAME}\\}$`, 'i');
/** A header value that is an auth scheme and a literal credential (`Bearer abc…`). */
const SCHEME_AND_LITERAL = new RegExp(`^\\s*(?:${AUTH_SCHEMES.join('|')}|Digest|Negotiate|AWS4-HMAC-SHA256|SharedKey)\\s+\\S`, 'i');

const SECRET_NAME_ENDINGS = ['token', 'password', 'passwd', 'secret', 'apikey', 'accesskey', 'privatekey', 'connectionstring', 'authorization', 'cookie'];

/** True when a key of the destinations file names a secret. */
export function isSecretName(key: string): boolean {
  const normal = key.toLowerCase().replace(/[_-]/g, '');
  return normal === 'key' || SECRET_NAME_ENDINGS.some((ending) => normal.endsWith(ending));
}

/** Words that make a header name a credential: `X-Auth-Token`, `X-Custom-Auth`, `X-Api-Key`, `Signature`, `Cookie`. */
const SECRET_HEADER_WORDS = new Set(['auth', 'authorization', 'authentication', 'token', 'key', 'apikey', 'secret', 'password', 'passwd', 'pwd', 'cookie', 'signature', 'sig', 'credential', 'credentials', 'session', 'sessionid', 'jwt', 'bearer', 'sas']);
const SECRET_HEADER_PARTS = ['auth', 'token', 'secret', 'passw', 'cookie', 'signature', 'credential', 'apikey', 'accesskey', 'privatekey', 'session'];

/**
 * True when a header name looks like it carries a credential: one of its
 * words (split on `-`, `_` and case changes) is a credential word, or the name
 * contains auth, token, secret, passw, cookie, signature, credential, apikey,
 * accesskey, privatekey or session.
 */
export function isSecretHeaderName(name: string): boolean {
  if (isSecretName(name)) return true;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  if (words.some((w) => SECRET_HEADER_WORDS.has(w))) return true;
  const normal = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_HEADER_PARTS.some((part) => normal.includes(part));
}

/** Query parameter names that carry a credential (`api_key`, `access_token`, `sig`, `X-Amz-Signature`, `password`, …). */
const SECRET_QUERY_NAME = /(?:token|key|secret|passw(?:or)?d|pwd|sig|signature|auth|authorization|credentials?|session(?:id)?|jwt)$/;

/** True when a query parameter name looks like it carries a credential. */
export function isSecretQueryName(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // keep it as written
  }
  return SECRET_QUERY_NAME.test(decoded.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** Exactly one `${env:NAME}`, nothing before or after it. */
export function isEnvReference(value: string): boolean {
  return EXACT_ENV_REF.test(value);
}

/** A header value: exactly one `${env:NAME}`, optionally after one of AUTH_SCHEMES (`Bearer ${env:NAME}`). */
export function isHeaderEnvReference(value: string): boolean {
  return HEADER_ENV_REF.test(value);
}

/**
 * Every `${env:NAME}` name the collector would expand in a value tree (a
 * reference escaped as `$${env:NAME}` is not one).
 */
export function envReferences(value: unknown, into = new Set<string>()): Set<string> {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      for (const match of item.matchAll(ENV_REF_WITH_DOLLARS)) {
        if (match[1]!.length % 2 === 1) into.add(match[2]!);
      }
    } else if (Array.isArray(item)) {
      stack.push(...(item as unknown[]));
    } else if (typeof item === 'object' && item !== null) {
      stack.push(...Object.values(item as Record<string, unknown>));
    }
  }
  return into;
}

/**
 * Destination keys whose value may hold `${env:NAME}` references (besides the
 * secret fields, which must be exactly one): where to connect, as whom, and
 * local paths, the settings that differ between environments. Everywhere else
 * (event globs, organizations, index and stream names, source types, ...) a
 * `$` is literal.
 */
export const REFERENCE_FIELDS: readonly string[] = ['endpoint', 'brokers.*', 'username', 'clientId', 'tenantId', 'dcrImmutableId', 'federatedTokenFile', 'roleArn', 'region', 'bucket', 'path', 'headers.*', 'tls.caFile'];
/** Collector settings whose value may hold `${env:NAME}` references. */
export const COLLECTOR_REFERENCE_FIELDS: readonly string[] = ['queue.directory', 'kafka.brokers.*', 'kafka.tls.caFile'];

/** The field pattern a path below a destination or `collector` falls under: `headers.*` for any header, `brokers.*` for any list item. */
function fieldPattern(path: readonly (string | number)[]): string {
  return path.length === 2 && path[0] === 'headers' ? 'headers.*' : path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
}

/**
 * True when the string at `path` (below one destination) may hold env
 * references: a secret field (by name, or `secretFields` of its type) or one
 * of REFERENCE_FIELDS.
 */
export function isDestinationReferenceField(path: readonly (string | number)[], secretFields: readonly string[] = []): boolean {
  const key = path[path.length - 1];
  if (REFERENCE_FIELDS.includes(fieldPattern(path))) return true;
  if (typeof key !== 'string') return false;
  if (path.length === 1 && secretFields.includes(key)) return true;
  return isSecretName(key);
}

export function isCollectorReferenceField(path: readonly (string | number)[]): boolean {
  return COLLECTOR_REFERENCE_FIELDS.includes(fieldPattern(path));
}

/** `a$b` → `a$$b`: the collector reads every `$` back as a literal `$` and expands nothing. */
export function escapeDollars(value: string): string {
  // A function, not '$$': in a replacement string `$$` stands for one `$`.
  return value.replaceAll('$', () => '$$');
}

/**
 * Escapes every `$` except the one that starts a well-formed `${env:NAME}`:
 * those stay references, any other `$` (or `${…}` form) is literal.
 */
export function escapeDollarsExceptReferences(value: string): string {
  let out = '';
  let last = 0;
  for (const match of value.matchAll(new RegExp(`\\$\\{env:${ENV_NAME}\\}`, 'g'))) {
    out += escapeDollars(value.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeDollars(value.slice(last));
}

/**
 * The shortest escape of a complete string the collector must read as it is
 * (no references in it): a run of `$` is doubled when it is longer than one
 * or stands before `{`; a lone `$` (a regex anchor) stays as it is. Used for
 * strings the renderer builds (OTTL conditions), so the usual ones do not change.
 */
export function escapeDollarsMinimal(value: string): string {
  return value.replace(/(\$+)(\{?)/g, (_match: string, run: string, brace: string) => (run.length > 1 || brace !== '' ? run + run : run) + brace);
}

/** The `${` in a value that are not the start of a well-formed `${env:NAME}`. */
export function hasForeignReference(value: string): boolean {
  return value.replace(new RegExp(`\\$\\{env:${ENV_NAME}\\}`, 'g'), '').includes('${');
}

export interface CredentialIssue {
  /** Path segments below the destination, e.g. ['headers', 'Authorization'] or ['events', 0]. */
  path: (string | number)[];
  message: string;
}

export interface CredentialCheckOptions {
  /** Top-level keys that are secrets although their name does not say so (sumologic `endpoint`). */
  secretFields?: readonly string[];
  /** The env var name to suggest for a secret at `path` (e.g. SEARCH_PASSWORD). */
  hint?: (path: (string | number)[]) => string;
}

const URL_AUTHORITY = /[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#\s]*)/g;
const ENV_REF_ANYWHERE = new RegExp(`\\$\\{env:${ENV_NAME}\\}`, 'g');

/** True when a URL authority's userinfo (before its last `@`) holds anything but env references. */
function literalUserinfo(authority: string): boolean {
  const at = authority.lastIndexOf('@');
  if (at < 0) return false;
  return authority.slice(0, at).replace(ENV_REF_ANYWHERE, '').replace(/:/g, '') !== '';
}

/** The URL-like parts of a value: each `scheme://…`, or the whole value for an endpoint written as host:port. */
function urlParts(value: string, isEndpoint: boolean): { authority: string; query: string }[] {
  const parts: { authority: string; query: string }[] = [];
  for (const match of value.matchAll(URL_AUTHORITY)) {
    const rest = value.slice(match.index + match[0].length);
    parts.push({ authority: match[1]!, query: queryOf(rest) });
  }
  if (parts.length === 0 && isEndpoint) {
    const authority = /^[^/?#\s]*/.exec(value)![0];
    parts.push({ authority, query: queryOf(value.slice(authority.length)) });
  }
  return parts;
}

function queryOf(rest: string): string {
  const question = rest.indexOf('?');
  if (question < 0) return '';
  const query = rest.slice(question + 1);
  const hash = query.indexOf('#');
  return hash < 0 ? query : query.slice(0, hash);
}

/** Names of query parameters that hold a literal credential. */
function literalQueryCredentials(query: string): string[] {
  const names: string[] = [];
  for (const param of query.split(/[&;]/)) {
    const eq = param.indexOf('=');
    const name = eq < 0 ? param : param.slice(0, eq);
    const value = eq < 0 ? '' : param.slice(eq + 1);
    if (value !== '' && !isEnvReference(value) && isSecretQueryName(name)) names.push(name);
  }
  return names;
}

/** A short, printable form of a name taken from the file (a query parameter), for messages. */
export function printable(text: string, max = 40): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown).replace(/[\u007f-\u009f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Every literal credential in one destination: secret fields that are not
 * exactly one env reference, user:password@ in URLs, credential query
 * parameters, and header values that carry a credential. The messages never
 * repeat the value.
 */
export function credentialIssues(destination: Record<string, unknown>, options: CredentialCheckOptions = {}): CredentialIssue[] {
  const secretFields = options.secretFields ?? [];
  const hint = options.hint ?? ((path: (string | number)[]) => path.join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_'));
  const found: CredentialIssue[] = [];
  const visit = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...path, i]));
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [child, v] of Object.entries(value)) visit(v, [...path, child]);
      return;
    }
    if (typeof value !== 'string') return;
    const last = path[path.length - 1]!;
    const key = typeof last === 'string' ? last : '';
    const isHeader = path.length === 2 && path[0] === 'headers';
    const isSecret = key !== '' && (isHeader ? isSecretHeaderName(key) : isSecretName(key) || (path.length === 1 && secretFields.includes(key)));
    const field = path.join('.');
    if (isSecret) {
      const ok = isHeader ? isHeaderEnvReference(value) : isEnvReference(value);
      if (!ok) {
        const example = `\${env:${hint(path)}}`;
        const partial = value.includes('${env:');
        const scheme = isHeader ? ` (after one of the auth schemes ${AUTH_SCHEMES.join(', ')} if the header needs one)` : '';
        found.push({
          path,
          message: partial
            ? `${printable(field, 80)} is a secret and must be exactly one environment reference like ${example}${scheme}, with no literal text before or after it`
            : `${printable(field, 80)} is a secret and must be an environment reference like ${example}${scheme}, not a literal value`,
        });
      }
      return;
    }
    const reasons: string[] = [];
    // An endpoint or a Kafka broker may be written host:port, without a scheme.
    const isEndpoint = (path.length === 1 && key === 'endpoint') || (path.length === 2 && path[0] === 'brokers');
    const parts = urlParts(value, isEndpoint);
    if (parts.some((p) => literalUserinfo(p.authority))) {
      reasons.push('contains credentials (user:password@) in its URL; take them from the environment (${env:NAME}) or use the destination\'s username/password');
    }
    const params = [...new Set(parts.flatMap((p) => literalQueryCredentials(p.query)))];
    if (params.length > 0) {
      reasons.push(`contains a credential in the query parameter${params.length > 1 ? 's' : ''} ${params.map((n) => printable(n)).join(', ')}; write it as an environment reference (${printable(params[0]!).slice(1, -1)}=\${env:NAME})`);
    }
    if (isHeader && SCHEME_AND_LITERAL.test(value) && !isHeaderEnvReference(value)) {
      reasons.push(`carries a credential (an authorization scheme and a literal value); write it as an environment reference like Bearer \${env:${hint(path)}}`);
    }
    for (const message of reasons) found.push({ path, message });
  };
  for (const [key, value] of Object.entries(destination)) visit(value, [key]);
  return found;
}
