// Flat attribute records read from JSON lines by decoding only the fields an
// engine's rules read (scan.ts), for `sigma match` and the benchmark. A line
// that is anything else (another format, a syntax error) is left to the full
// JSON.parse path of readEvents, which gives the same views or the error.
import { flatRecordTime, FLAT_RECORD, scannedTime, type CompiledField, type EventView, type JsonLineReader } from './events.js';
import { readValue, scanObject, ScanFields, STRIDE } from './scan.js';

/** What every line of one reader shares: the keys it scans for, and each field's index among them. */
interface Scanner {
  fields: ScanFields;
  /** The scanner's index of each of the engine's fields, by CompiledField.slot, and the field at each slot (for a field of another engine, the name decides). */
  indexOfSlot: Int16Array;
  fieldOfSlot: (CompiledField | undefined)[];
  /** The scanner's index of each key it scans for. */
  indexOfName: Map<string, number>;
  /** The indexes of the record's id and its three time keys (FLAT_RECORD). */
  id: number;
  times: [number, number, number];
}

/** A flat attribute record as the scanner left it: the line, and where each wanted value is; a value is decoded when read. */
export class ScannedView implements EventView {
  readonly time: number | undefined;
  private idValue: string | undefined | null = null;

  /** Throws an InputError when the record's time is not a plausible time. */
  constructor(
    private readonly scanner: Scanner,
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly positions: number[],
    private readonly base: number,
  ) {
    const [time, observed, plain] = scanner.times;
    this.time = scannedTime(flatRecordTime({ timeUnixNano: this.valueOf(time), observedTimeUnixNano: this.valueOf(observed), time: this.valueOf(plain) }), () => this.id);
  }

  /** The record's log.record.uid, read when first asked for (most events match nothing, and nothing asks). */
  get id(): string | undefined {
    if (this.idValue === null) {
      const id = this.valueOf(this.scanner.id);
      this.idValue = typeof id === 'string' ? id : undefined;
    }
    return this.idValue;
  }

  value(field: CompiledField): unknown {
    const scanner = this.scanner;
    const index = scanner.fieldOfSlot[field.slot] === field ? scanner.indexOfSlot[field.slot]! : (scanner.indexOfName.get(field.name) ?? -1);
    return index < 0 ? undefined : this.valueOf(index);
  }

  /** The value of the scanner's key `index` (readValue: its key checked first). */
  valueOf(index: number): unknown {
    return readValue(this.text, this.start, this.end, this.scanner.fields, this.positions, this.base, index);
  }

  allValues(): unknown[] {
    // Never reached: an engine with keyword searches gets no scanner (SigmaEngine.jsonLineReader).
    throw new Error('a scanned event holds only the fields its rules read, not every value');
  }
}

/**
 * The reader of flat attribute records that finds `fields` (the fields an
 * engine's rules read, compiled by that engine) plus the record's name, id and
 * time; undefined for any line that is not such a record, or that the scanner
 * cannot vouch for.
 */
export function flatRecordReader(fields: readonly CompiledField[]): JsonLineReader {
  const names = [...new Set([...fields.map((field) => field.name), FLAT_RECORD.name, FLAT_RECORD.id, ...FLAT_RECORD.times])];
  const indexOfName = new Map(names.map((name, index) => [name, index]));
  const slots = fields.filter((field) => field.slot >= 0);
  const indexOfSlot = new Int16Array(Math.max(0, ...slots.map((field) => field.slot)) + 1).fill(-1);
  const fieldOfSlot: (CompiledField | undefined)[] = [];
  for (const field of slots) {
    indexOfSlot[field.slot] = indexOfName.get(field.name)!;
    fieldOfSlot[field.slot] = field;
  }
  const indexOf = (key: string) => indexOfName.get(key)!;
  const scanner: Scanner = {
    // The other formats' keys share one index: any of them sends the line to the full path.
    fields: new ScanFields(names, { keys: FLAT_RECORD.markers, prefix: FLAT_RECORD.markerPrefix }),
    indexOfSlot,
    fieldOfSlot,
    indexOfName,
    id: indexOf(FLAT_RECORD.id),
    times: FLAT_RECORD.times.map(indexOf) as [number, number, number],
  };
  const name = indexOf(FLAT_RECORD.name);
  // A marker key (or one the scanner guessed is one) sends the line to the full path.
  const marker = scanner.fields.count - 1;
  // Lines' positions are cut from shared blocks of small integers: an array per line costs more than
  // scanning the line, and typed arrays live outside the heap, where their churn forces full collections.
  const stride = STRIDE * scanner.fields.count;
  const blockSize = stride * 32;
  const newBlock = (): number[] => new Array<number>(blockSize).fill(0);
  let block = newBlock();
  let next = 0;
  return (text, start, end) => {
    if (next + stride > blockSize) {
      block = newBlock();
      next = 0;
    }
    const base = next;
    next += stride; // taken even when the scan fails: the numbers it left are not zero
    if (!scanObject(text, start, end, scanner.fields, block, base)) return undefined;
    if (block[base + STRIDE * marker] !== 0) return undefined;
    const view = new ScannedView(scanner, text, start, end, block, base);
    return typeof view.valueOf(name) === 'string' ? view : undefined;
  };
}
