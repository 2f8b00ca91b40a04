// Reads Sigma YAML files (one or many documents each) into typed documents.
// Uses the `yaml` package (YAML 1.2 core schema) so `date: 2026-11-21` stays a
// string, as the official JSON schemas expect.
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { SigmaError, type SigmaDocument, type SigmaSource, type SourcePosition } from './types.js';

/** A YAML document as parsed, before it is classified, with its source. */
export interface RawDocument {
  file: string;
  document: number;
  value: unknown;
  positionOf?: SigmaSource['positionOf'];
}

/**
 * The node at a rule's field path. Keys may hold dots (`event.name|re`), so at
 * each mapping the longest key that the rest of the path starts with wins.
 */
function nodeAt(doc: Document, path: string): Node | undefined {
  let node: unknown = doc.contents;
  let rest = path;
  while (rest !== '' && node) {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index && isSeq(node)) {
      node = node.items[Number(index[1])];
      rest = rest.slice(index[0].length);
      continue;
    }
    if (!isMap(node)) return undefined;
    let best: { key: string; value: unknown } | undefined;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined || !rest.startsWith(key) || !/^(\.|\[|$)/.test(rest.slice(key.length))) continue;
      if (!best || key.length > best.key.length) best = { key, value: pair.value ?? pair.key };
    }
    if (!best) return undefined;
    node = best.value;
    rest = rest.slice(best.key.length).replace(/^\./, '');
  }
  return node as Node | undefined;
}

/** Parses every YAML document in `text`; a syntax error throws naming the file, document and line. */
export function parseYamlDocuments(text: string, file: string): RawDocument[] {
  const result: RawDocument[] = [];
  const lines = new LineCounter();
  const position = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const docs = parseAllDocuments(text, { prettyErrors: true, lineCounter: lines });
  (Array.isArray(docs) ? docs : []).forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) throw new SigmaError(file, `document ${index}`, `YAML error: ${error.message}`, position(error.pos[0]));
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (cause) {
      throw new SigmaError(file, `document ${index}`, `YAML error: ${(cause as Error).message}`);
    }
    // A trailing `---` gives an empty document; it carries nothing.
    if (value === null || value === undefined) return;
    const positionOf = (path: string): SourcePosition | undefined => {
      const range = nodeAt(doc, path)?.range;
      return range ? position(range[0]) : undefined;
    };
    result.push({ file, document: index, value, positionOf });
  });
  return result;
}

/** Tells a detection rule, a correlation rule and a filter apart by their top-level key. */
export function classifyDocument(raw: RawDocument): SigmaDocument {
  const source: SigmaSource = { file: raw.file, document: raw.document, positionOf: raw.positionOf };
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

/**
 * A rule or rule test file's text. Invalid UTF-8 is refused: decoded as U+FFFD,
 * a value would silently stop matching what the author wrote.
 */
export function readUtf8File(file: string): string {
  const bytes = readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const text = bytes.toString('utf8');
    const line = text.slice(0, text.indexOf('\ufffd')).split('\n').length;
    throw new SigmaError(file, '', `not valid UTF-8 (near line ${line}); save the file as UTF-8`);
  }
}

export function parseSigmaFile(file: string): SigmaDocument[] {
  return parseSigmaText(readUtf8File(file), file);
}

/**
 * Every .yml/.yaml file under the given files and folders, sorted for stable
 * output. A file named itself is taken whatever its extension; a path that
 * does not exist, or a folder without one YAML file, is an error rather than
 * zero rules (a mistyped -r would otherwise match nothing and pass).
 */
export function listYamlFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const seen = new Set<string>(); // real paths of folders visited: a symlink loop is walked once
  const visit = (path: string, named: boolean): void => {
    const yaml = /\.ya?ml$/.test(path);
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      if (!named && !yaml) return; // say, a dangling link to something else
      const code = (error as NodeJS.ErrnoException).code;
      throw new SigmaError(path, '', code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code ?? (error as Error).message})`);
    }
    if (stat.isDirectory()) {
      const real = realpathSync(path);
      if (seen.has(real)) return;
      seen.add(real);
      for (const entry of readdirSync(path).sort()) visit(join(path, entry), false);
    } else if (named || (yaml && stat.isFile())) {
      // In a folder only regular files count: reading a FIFO named x.yml would wait for ever.
      files.push(path);
    }
  };
  for (const path of paths) {
    const before = files.length;
    const walked = seen.size;
    visit(path, true);
    // Nothing found, in a folder not walked before (naming one folder twice is no error).
    if (files.length === before && seen.size > walked) throw new SigmaError(path, '', 'holds no .yml or .yaml file');
  }
  return files;
}

export function loadSigmaDocuments(paths: readonly string[]): SigmaDocument[] {
  return listYamlFiles(paths).flatMap(parseSigmaFile);
}
