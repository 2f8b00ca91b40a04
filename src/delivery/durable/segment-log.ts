// The on-disk log: numbered segment files of framed records, plus the position
// up to which records were acknowledged by the destination.
//
// Frame: u32 LE payload length, u32 LE CRC32 of the payload, payload.
// Appends are synchronous writes, so once `append` returns the record is in the
// operating system and survives a kill of the process. Power loss is covered
// by `sync()` (fdatasync), which the processor schedules per its fsync mode.
import { diag } from '@opentelemetry/api';
import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 8;
/** A single record larger than this is refused (and a header claiming more is corruption). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const READ_CHUNK_BYTES = 256 * 1024;

export interface Position {
  segment: number;
  offset: number;
}

export function comparePositions(a: Position, b: Position): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset;
}

export interface RecoveryReport {
  segments: number;
  /** Unacknowledged records found on disk at startup; they are sent again. */
  replayRecords: number;
  /** Bytes cut from the end of a segment because the last frame was torn or failed its checksum. */
  truncatedBytes: number;
  /** Segment files whose tail was cut. */
  truncatedSegments: string[];
}

export interface ReadBatch {
  payloads: Buffer[];
  /** The position after each record. */
  ends: Position[];
  bytes: number;
}

const SEGMENT_PATTERN = /^segment-(\d{20})\.log$/;
const ACK_FILE = 'ack.json';
const ACK_PERSIST_INTERVAL_MS = 100;

function segmentName(n: number): string {
  return `segment-${String(n).padStart(20, '0')}.log`;
}

/** Scans a segment's bytes; returns the end of the last valid frame and the record count. */
export function scanFrames(data: Buffer, from = 0): { validEnd: number; records: number; ends: number[] } {
  let offset = from;
  let records = 0;
  const ends: number[] = [];
  while (offset + FRAME_HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (length === 0 || length > MAX_RECORD_BYTES || end > data.length) break;
    if (crc32(data.subarray(offset + FRAME_HEADER_BYTES, end)) !== checksum) break;
    offset = end;
    records++;
    ends.push(end);
  }
  return { validEnd: offset, records, ends };
}

export class SegmentLog {
  private readonly sizes = new Map<number, number>();
  private readonly counts = new Map<number, number>();
  private writeSegment = 1;
  private writeFd = -1;
  private readFds = new Map<number, number>();
  private ackPosition: Position = { segment: 1, offset: 0 };
  /** Records not yet acknowledged. */
  private queued = 0;
  /** fds of rotated segments, closed once no fdatasync may still use them. */
  private retiredFds: number[] = [];
  private syncing = 0;
  private lastPersist = 0;
  private persistTimer: NodeJS.Timeout | undefined;
  /** An append failed (disk full, I/O error): the next append reopens the write segment by name first. */
  private reopenNeeded = false;
  /** Set while ack.json cannot be written; cleared (and reported) once it can again. */
  private ackWriteError: string | undefined;
  readonly recovery: RecoveryReport;

  constructor(
    readonly directory: string,
    private readonly segmentBytes: number,
  ) {
    mkdirSync(directory, { recursive: true });
    this.recovery = this.recover();
  }

  /** Opens the segments, cuts torn or corrupt tails, and loads the ack position. */
  private recover(): RecoveryReport {
    const numbers = readdirSync(this.directory)
      .map((name) => SEGMENT_PATTERN.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const report: RecoveryReport = { segments: numbers.length, replayRecords: 0, truncatedBytes: 0, truncatedSegments: [] };
    if (numbers.length === 0) numbers.push(1);
    this.ackPosition = this.loadAck(numbers[0]!);

    for (const n of numbers) {
      const file = join(this.directory, segmentName(n));
      const data = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
      const scan = scanFrames(data);
      if (scan.validEnd < data.length) {
        // A torn write (crash mid-append) or damaged bytes: keep every whole frame before it.
        const fd = openSync(file, 'r+');
        ftruncateSync(fd, scan.validEnd);
        fdatasyncSync(fd);
        closeSync(fd);
        report.truncatedBytes += data.length - scan.validEnd;
        report.truncatedSegments.push(segmentName(n));
      }
      this.sizes.set(n, scan.validEnd);
      let unacked = scan.records;
      if (n < this.ackPosition.segment) unacked = 0;
      else if (n === this.ackPosition.segment) unacked = scan.ends.filter((end) => end > this.ackPosition.offset).length;
      this.counts.set(n, unacked);
      this.queued += unacked;
    }
    report.replayRecords = this.queued;
    this.writeSegment = numbers[numbers.length - 1]!;
    this.writeFd = openSync(join(this.directory, segmentName(this.writeSegment)), 'a');
    if (this.ackPosition.offset > (this.sizes.get(this.ackPosition.segment) ?? 0)) {
      // The ack pointed into bytes that were cut: everything left is unacknowledged.
      this.ackPosition = { segment: this.ackPosition.segment, offset: this.sizes.get(this.ackPosition.segment) ?? 0 };
    }
    this.deleteAckedSegments();
    return report;
  }

  private loadAck(firstSegment: number): Position {
    const file = join(this.directory, ACK_FILE);
    if (!existsSync(file)) return { segment: firstSegment, offset: 0 };
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as Position;
      if (Number.isInteger(stored.segment) && Number.isInteger(stored.offset) && stored.segment >= firstSegment) return stored;
    } catch {
      // An unreadable ack file means "nothing acknowledged": records are resent, never lost.
    }
    return { segment: firstSegment, offset: 0 };
  }

  get ack(): Position {
    return this.ackPosition;
  }

  get end(): Position {
    return { segment: this.writeSegment, offset: this.sizes.get(this.writeSegment) ?? 0 };
  }

  get queuedRecords(): number {
    return this.queued;
  }

  get queuedBytes(): number {
    let bytes = -this.ackPosition.offset;
    for (const [n, size] of this.sizes) if (n >= this.ackPosition.segment) bytes += size;
    return bytes;
  }

  get segmentCount(): number {
    return this.sizes.size;
  }

  /** Frame size of a payload on disk. */
  static frameBytes(payload: Buffer): number {
    return FRAME_HEADER_BYTES + payload.length;
  }

  /** Appends one record with a synchronous write; returns the position after it. */
  append(payload: Buffer): Position {
    if (payload.length === 0 || payload.length > MAX_RECORD_BYTES) throw new Error(`record of ${payload.length} bytes is outside 1..${MAX_RECORD_BYTES}`);
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    payload.copy(frame, FRAME_HEADER_BYTES);
    if (this.reopenNeeded) this.reopenWriteSegment();
    let size = this.sizes.get(this.writeSegment) ?? 0;
    if (size > 0 && size + frame.length > this.segmentBytes) {
      this.rotate();
      size = 0;
    }
    let written = 0;
    try {
      while (written < frame.length) written += writeSync(this.writeFd, frame, written, frame.length - written);
    } catch (error) {
      // Disk full (ENOSPC), quota, I/O error: part of the frame may be on disk. Cut it
      // back so every earlier record stays readable, and reopen before the next append.
      this.reopenNeeded = true;
      if (written > 0) {
        try {
          ftruncateSync(this.writeFd, size);
        } catch {
          // Retried by reopenWriteSegment before anything else is appended.
        }
      }
      throw error;
    }
    size += frame.length;
    this.sizes.set(this.writeSegment, size);
    this.counts.set(this.writeSegment, (this.counts.get(this.writeSegment) ?? 0) + 1);
    this.queued++;
    return { segment: this.writeSegment, offset: size };
  }

  /**
   * After a failed append: opens the write segment again by name (a fresh descriptor
   * once space is back) and cuts it to the last whole frame. Throws, changing nothing,
   * while that is impossible, so nothing is ever appended after a torn frame.
   */
  private reopenWriteSegment(): void {
    const size = this.sizes.get(this.writeSegment) ?? 0;
    const fd = openSync(join(this.directory, segmentName(this.writeSegment)), 'a');
    try {
      const stat = fstatSync(fd);
      if (stat.isFile() && stat.size > size) ftruncateSync(fd, size);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.retiredFds.push(this.writeFd);
    this.writeFd = fd;
    this.reopenNeeded = false;
    this.closeRetiredFds();
  }

  /** Starts a new segment; the finished one is made durable first so a later sync only needs the new fd. */
  private rotate(): void {
    fdatasyncSync(this.writeFd);
    // Open before switching: if this fails (disk full, no inodes), the log is unchanged.
    const fd = openSync(join(this.directory, segmentName(this.writeSegment + 1)), 'a');
    this.retiredFds.push(this.writeFd);
    this.closeRetiredFds();
    this.writeSegment++;
    this.writeFd = fd;
    this.sizes.set(this.writeSegment, 0);
    this.counts.set(this.writeSegment, 0);
    this.syncDirectory();
  }

  private closeRetiredFds(): void {
    if (this.syncing > 0) return;
    for (const fd of this.retiredFds) closeSync(fd);
    this.retiredFds = [];
  }

  private syncDirectory(): void {
    try {
      const fd = openSync(this.directory, 'r');
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Some file systems refuse fsync on a directory; the segment data itself is synced.
    }
  }

  /** fdatasync of everything appended so far (off the event loop). */
  sync(): Promise<void> {
    // An empty write segment holds nothing to sync: rotation synced the one before it.
    if ((this.sizes.get(this.writeSegment) ?? 0) === 0) return Promise.resolve();
    const fd = this.writeFd;
    this.syncing++;
    return new Promise<void>((resolve, reject) => {
      fdatasync(fd, (error) => {
        this.syncing--;
        this.closeRetiredFds();
        if (error) reject(error);
        else resolve();
      });
    });
  }

  syncNow(): void {
    if ((this.sizes.get(this.writeSegment) ?? 0) === 0) return;
    fdatasyncSync(this.writeFd);
  }

  /** Reads up to `max` records starting at `from`; crosses into later segments. */
  read(from: Position, max: number, maxBytes = Number.POSITIVE_INFINITY): ReadBatch {
    const batch: ReadBatch = { payloads: [], ends: [], bytes: 0 };
    let position = this.normalize(from);
    while (batch.payloads.length < max && batch.bytes < maxBytes) {
      position = this.normalize(position);
      const size = this.sizes.get(position.segment);
      if (size === undefined || position.offset >= size) break;
      // One read for many frames: a chunk up to READ_CHUNK_BYTES (or one whole large frame).
      const fd = this.readFd(position.segment);
      let chunk = Buffer.allocUnsafe(Math.min(size - position.offset, READ_CHUNK_BYTES));
      readSync(fd, chunk, 0, chunk.length, position.offset);
      let at = 0;
      while (batch.payloads.length < max && batch.bytes < maxBytes && at + FRAME_HEADER_BYTES <= chunk.length) {
        const length = chunk.readUInt32LE(at);
        const end = at + FRAME_HEADER_BYTES + length;
        if (end > chunk.length) {
          if (at > 0) break; // the next chunk starts with this frame
          chunk = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
          readSync(fd, chunk, 0, chunk.length, position.offset);
        }
        const payload = chunk.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length);
        if (crc32(payload) !== chunk.readUInt32LE(at + 4)) throw new Error(`${segmentName(position.segment)} at byte ${position.offset + at}: checksum mismatch on read (the file changed underneath the spool)`);
        at += FRAME_HEADER_BYTES + length;
        batch.payloads.push(payload);
        batch.ends.push({ segment: position.segment, offset: position.offset + at });
        batch.bytes += FRAME_HEADER_BYTES + length;
      }
      position = { segment: position.segment, offset: position.offset + at };
    }
    return batch;
  }

  /** A position at the end of a finished segment is the start of the next one. */
  private normalize(position: Position): Position {
    let current = position;
    while (current.segment < this.writeSegment && current.offset >= (this.sizes.get(current.segment) ?? 0)) current = { segment: current.segment + 1, offset: 0 };
    return current;
  }

  private readFd(segment: number): number {
    let fd = this.readFds.get(segment);
    if (fd === undefined) {
      fd = openSync(join(this.directory, segmentName(segment)), 'r');
      this.readFds.set(segment, fd);
    }
    return fd;
  }

  /**
   * Records everything before `to` as delivered (or dropped): `records` is how many
   * records lie between the current ack position and `to`. The position is
   * persisted, and segments wholly before it are deleted.
   */
  acknowledge(to: Position, records: number): void {
    if (comparePositions(to, this.ackPosition) <= 0) return;
    this.ackPosition = this.normalize(to);
    this.queued = Math.max(0, this.queued - records);
    // Persisting is throttled: each write is a metadata change that an fdatasync of the
    // segment may have to wait for. A crash can only lose the last interval of acks,
    // which means duplicates, never loss.
    if (Date.now() - this.lastPersist >= ACK_PERSIST_INTERVAL_MS) this.persistAck();
    else if (!this.persistTimer) {
      this.persistTimer = setTimeout(() => this.persistAck(), ACK_PERSIST_INTERVAL_MS);
      this.persistTimer.unref();
    }
  }

  /** Writes the ack position (atomically) and deletes the segments wholly before it. */
  persistAck(): void {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    this.lastPersist = Date.now();
    if (this.writeFd < 0) return;
    const file = join(this.directory, ACK_FILE);
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(this.ackPosition));
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      // Disk full: keep the position in memory and try again shortly. Until then a
      // restart resends more (duplicates, never loss), and no segment is deleted.
      const message = error instanceof Error ? error.message : String(error);
      if (this.ackWriteError === undefined) diag.warn(`otel-audit spool ${this.directory}: could not write ${ACK_FILE} (${message}); delivery continues, acknowledgements are kept in memory and retried`);
      this.ackWriteError = message;
      this.persistTimer = setTimeout(() => this.persistAck(), ACK_PERSIST_INTERVAL_MS * 10);
      this.persistTimer.unref();
      return;
    }
    if (this.ackWriteError !== undefined) diag.info(`otel-audit spool ${this.directory}: ${ACK_FILE} written again`);
    this.ackWriteError = undefined;
    this.deleteAckedSegments();
  }

  /** How many records lie in (ack, to]: counted from the per-record ends the caller read. */
  countAfterAck(ends: Position[]): number {
    let n = 0;
    for (const end of ends) if (comparePositions(end, this.ackPosition) > 0) n++;
    return n;
  }

  private deleteAckedSegments(): void {
    for (const n of [...this.sizes.keys()]) {
      if (n >= this.ackPosition.segment || n === this.writeSegment) continue;
      const fd = this.readFds.get(n);
      if (fd !== undefined) closeSync(fd);
      this.readFds.delete(n);
      try {
        unlinkSync(join(this.directory, segmentName(n)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      this.sizes.delete(n);
      this.counts.delete(n);
    }
  }

  close(): void {
    if (this.writeFd >= 0) this.persistAck();
    for (const fd of this.readFds.values()) closeSync(fd);
    this.readFds.clear();
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    if (this.writeFd >= 0) {
      this.syncNow();
      closeSync(this.writeFd);
      this.writeFd = -1;
    }
    for (const fd of this.retiredFds) closeSync(fd);
    this.retiredFds = [];
  }
}

export { segmentName };
