// Decodes an OTLP/protobuf ExportLogsServiceRequest (what OTLP/HTTP senders
// POST with content-type application/x-protobuf) into the OTLP/JSON shape that
// decodeLogsRequest reads. Only the fields of the logs data model are kept;
// unknown fields are skipped by wire type, as protobuf requires.
import { InputError } from '../errors.js';
import type { OtlpLogsRequest } from './otlp-json.js';

type Message = Record<string, unknown>;

class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array, private readonly end = bytes.length) {}

  get done(): boolean {
    return this.at >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.at >= this.end) throw new InputError('truncated protobuf varint');
      const byte = this.bytes[this.at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new InputError('protobuf varint longer than 10 bytes');
  }

  fixed(size: 4 | 8): Uint8Array {
    if (this.at + size > this.end) throw new InputError('truncated protobuf fixed field');
    const slice = this.bytes.subarray(this.at, this.at + size);
    this.at += size;
    return slice;
  }

  /** A length-delimited field's bytes. */
  bytesField(): Uint8Array {
    const length = Number(this.varint());
    if (this.at + length > this.end) throw new InputError('protobuf length runs past the end of the message');
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.fixed(8);
    else if (wireType === 2) this.bytesField();
    else if (wireType === 5) this.fixed(4);
    else throw new InputError(`unsupported protobuf wire type ${wireType}`);
  }

  /** Calls `field` for each field of the message; it returns false for fields it does not read. */
  fields(field: (number: number, wireType: number) => boolean): void {
    while (!this.done) {
      const key = Number(this.varint());
      const number = key >>> 3;
      const wireType = key & 7;
      if (!field(number, wireType)) this.skip(wireType);
    }
  }
}

const text = new TextDecoder('utf-8', { fatal: false });
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const u64 = (bytes: Uint8Array) => Buffer.from(bytes).readBigUInt64LE(0).toString();

function anyValue(bytes: Uint8Array, depth: number): Message {
  if (depth > 64) throw new InputError('protobuf AnyValue nested deeper than 64 levels');
  const r = new Reader(bytes);
  const value: Message = {};
  r.fields((n, w) => {
    if (n === 1 && w === 2) value.stringValue = text.decode(r.bytesField());
    else if (n === 2 && w === 0) value.boolValue = r.varint() !== 0n;
    else if (n === 3 && w === 0) value.intValue = BigInt.asIntN(64, r.varint()).toString();
    else if (n === 4 && w === 1) value.doubleValue = Buffer.from(r.fixed(8)).readDoubleLE(0);
    else if (n === 5 && w === 2) value.arrayValue = { values: repeated(r.bytesField(), 1, (b) => anyValue(b, depth + 1)) };
    else if (n === 6 && w === 2) value.kvlistValue = { values: repeated(r.bytesField(), 1, (b) => keyValue(b, depth + 1)) };
    else if (n === 7 && w === 2) value.bytesValue = Buffer.from(r.bytesField()).toString('base64');
    else return false;
    return true;
  });
  return value;
}

/** The repeated message field `number` of a message whose other fields are ignored. */
function repeated<T>(bytes: Uint8Array, number: number, decode: (b: Uint8Array) => T): T[] {
  const r = new Reader(bytes);
  const out: T[] = [];
  r.fields((n, w) => {
    if (n !== number || w !== 2) return false;
    out.push(decode(r.bytesField()));
    return true;
  });
  return out;
}

function keyValue(bytes: Uint8Array, depth = 0): Message {
  const r = new Reader(bytes);
  const kv: Message = { key: '' };
  r.fields((n, w) => {
    if (n === 1 && w === 2) kv.key = text.decode(r.bytesField());
    else if (n === 2 && w === 2) kv.value = anyValue(r.bytesField(), depth);
    else return false;
    return true;
  });
  return kv;
}

function logRecord(bytes: Uint8Array): Message {
  const r = new Reader(bytes);
  const record: Message = { attributes: [] };
  r.fields((n, w) => {
    if (n === 1 && w === 1) record.timeUnixNano = u64(r.fixed(8));
    else if (n === 11 && w === 1) record.observedTimeUnixNano = u64(r.fixed(8));
    else if (n === 2 && w === 0) record.severityNumber = Number(r.varint());
    else if (n === 3 && w === 2) record.severityText = text.decode(r.bytesField());
    else if (n === 5 && w === 2) record.body = anyValue(r.bytesField(), 0);
    else if (n === 6 && w === 2) (record.attributes as Message[]).push(keyValue(r.bytesField()));
    else if (n === 9 && w === 2) record.traceId = hex(r.bytesField());
    else if (n === 10 && w === 2) record.spanId = hex(r.bytesField());
    else if (n === 12 && w === 2) record.eventName = text.decode(r.bytesField());
    else return false;
    return true;
  });
  return record;
}

function scopeLogs(bytes: Uint8Array): Message {
  const r = new Reader(bytes);
  const scope: Message = { logRecords: [] };
  r.fields((n, w) => {
    if (n === 1 && w === 2) {
      const s = new Reader(r.bytesField());
      const info: Message = {};
      s.fields((sn, sw) => {
        if (sn === 1 && sw === 2) info.name = text.decode(s.bytesField());
        else if (sn === 2 && sw === 2) info.version = text.decode(s.bytesField());
        else return false;
        return true;
      });
      scope.scope = info;
    } else if (n === 2 && w === 2) (scope.logRecords as Message[]).push(logRecord(r.bytesField()));
    else return false;
    return true;
  });
  return scope;
}

function resourceLogs(bytes: Uint8Array): Message {
  const r = new Reader(bytes);
  const resource: Message = { scopeLogs: [] };
  r.fields((n, w) => {
    if (n === 1 && w === 2) resource.resource = { attributes: repeated(r.bytesField(), 1, (b) => keyValue(b)) };
    else if (n === 2 && w === 2) (resource.scopeLogs as Message[]).push(scopeLogs(r.bytesField()));
    else return false;
    return true;
  });
  return resource;
}

/** Decodes an OTLP/protobuf ExportLogsServiceRequest; a malformed message throws an InputError naming `source`. */
export function decodeLogsRequestProto(bytes: Uint8Array, source = 'input'): OtlpLogsRequest {
  try {
    return { resourceLogs: repeated(bytes, 1, resourceLogs) };
  } catch (error) {
    throw new InputError(`${source}: not an OTLP/protobuf logs request (${(error as Error).message})`, { file: source }, { cause: error });
  }
}
