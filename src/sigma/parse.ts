// Reads Sigma YAML files (one or many documents each) into typed documents.
// Uses the `yaml` package (YAML 1.2 core schema) so `date: 2026-11-21` stays a
// string, as the official JSON schemas expect.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SigmaError, type SigmaDocument } from './types.js';

/** A YAML document as parsed, before it is classified, with its source. */
export interface RawDocument {
  file: string;
  document: number;
  value: unknown;
}

/** Parses every YAML document in `text`; a syntax error throws naming the file, document and line. */
export function parseYamlDocuments(text: string, file: string): RawDocument[] {
  const result: RawDocument[] = [];
  parseAllDocuments(text, { prettyErrors: true }).forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) throw new SigmaError(file, `document ${index}`, `YAML error: ${error.message}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    // A trailing `---` gives an empty document; it carries nothing.
    if (value === null || value === undefined) return;
    result.push({ file, document: index, value });
  });
  return result;
}

/** Tells a detection rule, a correlation rule and a filter apart by their top-level key. */
export function classifyDocument(raw: RawDocument): SigmaDocument {
  const source = { file: raw.file, document: raw.document };
  const value = raw.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SigmaError(raw.file, `document ${raw.document}`, 'a Sigma document must be a YAML mapping');
  }
  if ('correlation' in value) return { kind: 'correlation', source, rule: value as never };
  if ('filter' in value) return { kind: 'filter', source, rule: value as never };
  if ('detection' in value) return { kind: 'rule', source, rule: value as never };
  throw new SigmaError(raw.file, `document ${raw.document}`, 'not a Sigma document: it has no `detection`, `correlation` or `filter` key');
}

export function parseSigmaText(text: string, file = '<text>'): SigmaDocument[] {
  return parseYamlDocuments(text, file).map(classifyDocument);
}

export function parseSigmaFile(file: string): SigmaDocument[] {
  return parseSigmaText(readFileSync(file, 'utf8'), file);
}

/** Every .yml/.yaml file under the given files and folders, sorted for stable output. */
export function listYamlFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
    } else if (/\.ya?ml$/.test(path)) {
      files.push(path);
    }
  };
  for (const path of paths) visit(path);
  return files;
}

export function loadSigmaDocuments(paths: readonly string[]): SigmaDocument[] {
  return listYamlFiles(paths).flatMap(parseSigmaFile);
}
