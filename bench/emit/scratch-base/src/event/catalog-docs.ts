// Markdown for detection engineers: every event of a catalog, the attributes
// its data becomes, and the selection a Sigma rule uses to find it.
import type { CatalogDefinition } from './catalog.js';
import { contract } from './contract.js';
import { schemaFields } from './schema-fields.js';

const DATA_PREFIX = contract().fields.find((f) => f.field === 'data')?.attributePrefix ?? 'audit.data.';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function catalogToMarkdown(catalog: CatalogDefinition): string {
  const c = contract();
  const domainAttribute = c.fields.find((f) => f.field === 'domain')?.attribute ?? 'event.domain';
  const nameAttribute = c.fields.find((f) => f.field === 'name')?.attribute ?? 'event.name';
  const names = Object.keys(catalog.events).sort();
  const lines: string[] = [
    `# Audit events: ${catalog.domain}`,
    '',
    ...(catalog.description ? [catalog.description, ''] : []),
    ...(catalog.version ? [`Catalog version: ${catalog.version}`, ''] : []),
    `Every event arrives as an OTLP log record with \`${domainAttribute}\` = \`${catalog.domain}\`, its name in \`eventName\` and in the attribute \`${nameAttribute}\`, and its data flattened under \`${DATA_PREFIX}*\`. The attributes every event may carry are in docs/contract.md.`,
    '',
    `Each Sigma selection below names the event only, as \`otel-audit sigma check\` expects: the collector writes the \`${catalog.domain}\` records to their own index, table or stream (its filter on \`${domainAttribute}\`), and when one store holds several domains \`otel-audit sigma convert --domain ${catalog.domain}\` adds \`${domainAttribute}: ${catalog.domain}\` to every query. Check rules against this catalog with \`otel-audit sigma check --catalog <this catalog file> <rules>\`.`,
    '',
    '| event | severity | description |',
    '|---|---|---|',
    ...names.map((name) => {
      const e = catalog.events[name]!;
      return `| [\`${name}\`](#${name.replace(/[^a-z0-9_-]/g, '')}) | ${e.severity ?? 'info'} | ${cell(e.description)}${e.deprecated ? ' (deprecated)' : ''} |`;
    }),
    '',
  ];
  for (const name of names) {
    const e = catalog.events[name]!;
    lines.push(`## ${name}`, '', e.description, '');
    lines.push(`- severity: ${e.severity ?? 'info'} (severityNumber ${c.severities[e.severity ?? 'info'].number})`);
    if (e.version !== undefined) lines.push(`- version: ${e.version}`);
    if (e.deprecated) lines.push(`- deprecated${typeof e.deprecated === 'string' ? `: ${e.deprecated}` : ''}`);
    if (e.tags?.length) lines.push(`- tags: ${e.tags.join(', ')}`);
    if (e.sensitive?.length) lines.push(`- redacted (always "${c.sensitive.replacement}"): ${e.sensitive.map((p) => `\`${DATA_PREFIX}${p}\``).join(', ')}`);
    lines.push('', 'Sigma selection:', '', '```yaml', 'logsource:', '    product: otel_audit', '    service: audit', 'detection:', '    selection:', `        ${nameAttribute}: ${name}`, '    condition: selection', '```', '');
    const fields = schemaFields(e.data);
    if (fields.length === 0) {
      lines.push(e.data ? 'No declared data fields.' : 'Data is free-form (no schema).', '');
      continue;
    }
    lines.push('| attribute | type | required | description |', '|---|---|---|---|');
    for (const f of fields) {
      const type = f.types.join(' or ') || 'any';
      const extra = [f.format ? `format ${f.format}` : '', f.enum ? `one of ${f.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}` : ''].filter(Boolean).join('; ');
      const attribute = f.path.includes('[]') ? `${DATA_PREFIX}${f.path.split('[]')[0]} (JSON)` : `${DATA_PREFIX}${f.path}`;
      lines.push(`| \`${attribute}\` ${f.path.includes('[]') ? `\`${f.path}\`` : ''} | ${type} | ${f.required ? 'yes' : 'no'} | ${cell([f.description ?? '', extra].filter(Boolean).join('. '))} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
