// `sigma match` over event files. Correlations need their events in time
// order, so with any correlation rule every file is read and its events
// sorted by time before they are matched. Without one, each event is matched
// (and its matches handed on) in file order as it is read, and a JSON-lines
// file is streamed a chunk at a time (chunks.ts), so memory stays flat
// whatever the file's size. Other forms (YAML, a JSON array or document,
// OTLP/protobuf) are read whole.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { forEachLine } from './chunks.js';
import { isOtlpLines, looksLikeText, notUtf8, readEventContent, readJsonLine, type EventReadResult, type EventView, type JsonLinesForm } from './events.js';
import type { SigmaEngine, SigmaMatch } from './engine.js';
import { InputError } from '../errors.js';

export interface MatchFilesOptions {
  /** `event.domain` for canonical events that carry none. */
  domain?: string;
  onMatch: (match: SigmaMatch) => void;
  /** A file that cannot be read, or a line or event that cannot be matched (file:line: reason); the rest is matched. */
  onError: (message: string) => void;
}

/** Bytes read to tell the form of a file. */
const HEAD = 1 << 16;

/**
 * The form of `file` when it can be streamed line by line with the same
 * results as reading it whole (readEvents): text whose first non-space line is
 * one whole JSON object. Undefined otherwise: a document over several lines, a
 * bad first line, one line only, YAML, a JSON array, protobuf.
 */
function streamableForm(file: string, domain: string | undefined, fast: JsonLinesForm['fast']): JsonLinesForm | undefined {
  const fd = openSync(file, 'r');
  let bytes: Buffer;
  try {
    const head = Buffer.alloc(HEAD);
    bytes = head.subarray(0, readSync(fd, head, 0, HEAD, 0));
  } finally {
    closeSync(fd);
  }
  if (bytes.length === 0 || !looksLikeText(bytes)) return undefined;
  // Only the head's start is looked at: a UTF-8 sequence cut at its end changes nothing before it.
  const trimmed = bytes.toString('utf8').trimStart();
  const newline = trimmed.indexOf('\n');
  if (!trimmed.startsWith('{') || newline === -1) return undefined;
  // readEvents tells OTLP lines by their first 2000 characters: the head must hold them.
  if (bytes.length === HEAD && trimmed.length < 2100) return undefined;
  try {
    JSON.parse(trimmed.slice(0, newline));
  } catch {
    return undefined;
  }
  return { source: file, domain, fast, otlp: isOtlpLines(trimmed) };
}

/** Matches the events of `files` with `engine`; returns how many events were matched. */
export function matchFiles(engine: SigmaEngine, files: readonly string[], options: MatchFilesOptions): number {
  const { domain, onMatch, onError } = options;
  const session = engine.session();
  let matched = 0;
  const push = (view: EventView, where: string) => {
    try {
      for (const match of session.push(view)) onMatch(match);
      matched++;
    } catch (error) {
      // An event the engine refuses (a correlation needs its time) is reported with its line.
      if (!(error instanceof InputError)) throw error;
      onError(`${where}: ${error.message}`);
    }
  };
  const inTimeOrder = engine.correlations.length > 0;
  const held: { view: EventView; where: string }[] = [];
  const take = (result: EventReadResult, file: string) => {
    result.views.forEach((view, index) => (inTimeOrder ? held.push({ view, where: `${file}:${result.lines[index]}` }) : push(view, `${file}:${result.lines[index]}`)));
    for (const error of result.errors) onError(error.message);
  };
  for (const file of files) {
    try {
      const form = inTimeOrder ? undefined : streamableForm(file, domain, engine.jsonLineReader());
      if (form) {
        const result: EventReadResult = { views: [], lines: [], errors: [] };
        forEachLine(file, (text, start, end, line) => {
          readJsonLine(text, start, end, line, form, result);
          if (result.views.length === 0 && result.errors.length === 0) return;
          take(result, file);
          result.views.length = result.lines.length = result.errors.length = 0;
        }, undefined, (line) => onError(notUtf8(file, line).message));
        continue;
      }
      // Flat attribute lines are scanned for the fields the rules read only (engine.jsonLineReader).
      take(readEventContent(readFileSync(file), file, domain, engine.jsonLineReader()), file);
    } catch (error) {
      // Only the file system's errors (no such file, a folder, no permission): anything else is a fault.
      if (!(error instanceof Error && 'syscall' in error)) throw error;
      onError(`${file}: cannot be read (${(error as Error).message})`);
    }
  }
  // Stably, as engine.run() sorts.
  held.sort((a, b) => (a.view.time ?? 0) - (b.view.time ?? 0));
  for (const { view, where } of held) push(view, where);
  return matched;
}
