// A stamped record read straight from its text (shapes.ts, for canonical JSON
// lines and for the bodies in the file exporter's OTLP lines): what
// verify needs of it, its canonical JSON and the few members verifyTrail reads,
// without building the body. The body is still there for any other reader: it
// is decoded from the text, by the generic path, when asked for.
import { decodeAnyValue } from '../event/otlp-json.js';

/** Where a record was read, as messages name it: file:line, with #n for the n-th record of a line that holds several (line 0: `file` says it all). */
export function whereText(file: string, line: number, part: number): string {
  return line === 0 ? file : part < 0 ? `${file}:${line}` : `${file}:${line}#${part}`;
}

export class ScannedRecord {
  /** Where it was read (set by the reader), kept apart so that no text is made for it unless a message names it. */
  file = '';
  line = 0;
  part = -1;

  constructor(
    /** The canonical JSON of the body: byte for byte canonicalJson(body). */
    readonly canonical: string,
    /** body.id when it is a string. */
    readonly id: string | undefined,
    /** body.integrity, checked as verifyTrail checks a stamp (a string stream and prev, a safe integer seq ≥ 1). */
    readonly stream: string,
    readonly seq: number,
    readonly prev: string,
    /** The text the body was read from, and where in it: a whole canonical line, or an OTLP AnyValue to decode. */
    private readonly text: string,
    private readonly from: number,
    private readonly to: number,
    private readonly otlp: boolean,
  ) {}

  get where(): string {
    return whereText(this.file, this.line, this.part);
  }

  /** The body, as JSON.parse (and decodeAnyValue for OTLP) read it. */
  get body(): unknown {
    const value = JSON.parse(this.text.slice(this.from, this.to)) as unknown;
    return this.otlp ? decodeAnyValue(value as Parameters<typeof decodeAnyValue>[0]) : value;
  }
}

/**
 * A string of its own with the same text. A slice of a longer string is a view
 * that keeps the whole of it alive as long as the slice (verify keeps ids of
 * every record): slicing a concatenation copies the text instead.
 */
export const ownString = (text: string): string => ` ${text}`.slice(1);
