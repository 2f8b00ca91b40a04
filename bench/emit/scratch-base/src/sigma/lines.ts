// Flat attribute records read from JSON lines by decoding only the fields an
// engine's rules read (scan.ts), for `sigma match` and the benchmark. A line
// that is anything else (another format, a syntax error) is left to the full
// JSON.parse path of readEvents, which gives the same views or the error.
import { compileField, flatRecordTime, flatRecordView, FLAT_RECORD, type CompiledField, type EventView, type JsonLineReader } from './events.js';
import { scanObject, ScanFields, valueAt } from './scan.js';

/** A flat attribute record as the scanner left it: the line, and where each wanted value is; a value is decoded when read. */
export class ScannedView implements EventView {
  constructor(
    private readonly text: string,
    private readonly positions: Int32Array,
    private readonly base: number,
    /** The scanner's index of each field, by CompiledField.slot (-1 or absent: not scanned). */
    private readonly indexOfSlot: Int16Array,
    readonly time: number | undefined,
    readonly id: string | undefined,
  ) {}
  value(field: CompiledField): unknown {
    const index = this.indexOfSlot[field.slot];
    return index === undefined || index < 0 ? undefined : valueAt(this.text, this.positions, this.base, index);
  }
  allValues(): unknown[] {
    // Never reached: an engine with keyword searches gets no scanner (SigmaEngine.jsonLineReader).
    throw new Error('a scanned event holds only the fields its rules read, not every value');
  }
}

/**
 * The reader of flat attribute records that finds `fields` (the fields an
 * engine's rules read) plus the record's name, id and time; undefined for any
 * line that is not such a record, or that the scanner cannot vouch for.
 */
export function flatRecordReader(fields: readonly CompiledField[]): JsonLineReader {
  const extra = [FLAT_RECORD.name, FLAT_RECORD.id, ...FLAT_RECORD.times, ...FLAT_RECORD.markers].map((key) => compileField(key));
  const all = [...new Set([...fields, ...extra])];
  const scan = new ScanFields(all.map((field) => field.name), FLAT_RECORD.markerPrefix);
  const indexOfSlot = new Int16Array(Math.max(...all.map((field) => field.slot)) + 1).fill(-1);
  all.forEach((field, index) => (indexOfSlot[field.slot] = index));
  const at = (name: string) => indexOfSlot[compileField(name).slot]!;
  const [name, id, time, observed, plainTime] = [FLAT_RECORD.name, FLAT_RECORD.id, ...FLAT_RECORD.times].map(at) as [number, number, number, number, number];
  const markers = [...FLAT_RECORD.markers.map(at), scan.count - 1];
  // Lines' positions are cut from shared blocks (a typed array per line costs more than scanning it); a block is freed with its last view.
  const stride = 2 * scan.count;
  const blockSize = stride * 1024;
  let block = new Int32Array(blockSize);
  let base = 0;
  return (text, start, end) => {
    if (base + stride > blockSize) {
      block = new Int32Array(blockSize);
      base = 0;
    }
    const positions = block;
    const at = base;
    base += stride; // taken even when the scan fails: the numbers it left are not zero
    if (!scanObject(text, start, end, scan, positions, at) || text.charCodeAt(positions[at + 2 * name]! - 1) !== 0x22 /* a string */) return undefined;
    for (const marker of markers) if (positions[at + 2 * marker] !== 0) return undefined;
    const when = flatRecordTime({ timeUnixNano: valueAt(text, positions, at, time), observedTimeUnixNano: valueAt(text, positions, at, observed), time: valueAt(text, positions, at, plainTime) });
    const record = flatRecordView(when, valueAt(text, positions, at, id));
    return new ScannedView(text, positions, at, indexOfSlot, record.time, record.id);
  };
}
