// The on-disk log: numbered segment files of framed records, plus the position
// up to which records were acknowledged by the destination.
//
// Frame: u32 LE payload length, u32 LE CRC32 of the payload, payload (JSON text
// from record-codec.ts, so its first byte is '{').
// Appends are synchronous writes, so once `append` returns the record is in the
// operating system and survives a kill of the process. Power loss is covered
// by `sync()` (fdatasync), which the processor schedules per its fsync mode.
//
// Damaged bytes (a disk fault, a torn write) never cost the intact records around
// them: recovery and reading resynchronise on the next valid frame, and the damaged
// bytes are copied to quarantine/ in the spool directory and reported.
import { diag } from '@opentelemetry/api';
import { closeSync, constants, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { createFile, ensurePrivateDirectory, openFile, readAt, readFileNoFollow, replaceFile, WRITE_APPEND } from './safe-fs.js';

export const FRAME_HEADER_BYTES = 8;
/** A single record larger than this is refused (and a header claiming more is corruption). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** The largest segmentBytes: a segment is read whole at startup. */
export const MAX_SEGMENT_BYTES = 1024 * 1024 * 1024;
/** No segment the spool writes is larger (one record alone may exceed a small segmentBytes). */
const MAX_SEGMENT_FILE_BYTES = Math.max(MAX_SEGMENT_BYTES, FRAME_HEADER_BYTES + MAX_RECORD_BYTES);
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
  /** Damaged bytes found at startup (inside a segment or in a cut tail) and copied to quarantine/. */
  quarantinedBytes: number;
  /** Each damaged range found at startup: where it was and the quarantine file that holds a copy. */
  quarantined: QuarantinedRange[];
}

/** Damaged bytes that were skipped: `file` (relative to the spool directory) holds a copy, unless `error` says why not. */
export interface QuarantinedRange {
  segment: string;
  offset: number;
  bytes: number;
  file?: string;
  error?: string;
}

export interface ReadBatch {
  payloads: Buffer[];
  /** The position after each record. */
  ends: Position[];
  bytes: number;
  /** The position after everything read, damaged bytes skipped included. */
  end: Position;
}

const SEGMENT_PATTERN = /^segment-(\d{20})\.log$/;
const ACK_FILE = 'ack.json';
const ACK_PERSIST_INTERVAL_MS = 100;

function segmentName(n: number): string {
  return `segment-${String(n).padStart(20, '0')}.log`;
}

/** The end of the valid frame that starts at `offset`, or -1 (bad length, past the end of `data`, or checksum mismatch). */
export function frameEnd(data: Buffer, offset: number): number {
  if (offset + FRAME_HEADER_BYTES > data.length) return -1;
  const length = data.readUInt32LE(offset);
  const end = offset + FRAME_HEADER_BYTES + length;
  if (length === 0 || length > MAX_RECORD_BYTES || end > data.length) return -1;
  return crc32(data.subarray(offset + FRAME_HEADER_BYTES, end)) === data.readUInt32LE(offset + 4) ? end : -1;
}

/** Every payload the spool writes is JSON text (see record-codec.ts): its first byte is '{'. */
const PAYLOAD_FIRST_BYTE = 0x7b;

/**
 * The first offset at or after `from` where a valid frame starts, or -1. Only offsets
 * whose length is sane and whose payload starts with '{' pay for a checksum. On record
 * data that is almost none (JSON text read as a length is far above MAX_RECORD_BYTES),
 * and in random garbage under one offset in 16 000, so a resync stays fast even across
 * megabytes of damage.
 */
export function nextFrameStart(data: Buffer, from: number): number {
  for (let at = from; at + FRAME_HEADER_BYTES < data.length; at++) {
    if (data[at + FRAME_HEADER_BYTES] !== PAYLOAD_FIRST_BYTE) {
      // Jump to the next '{' natively: a long run of zeros or garbage is not walked byte by byte.
      const brace = data.indexOf(PAYLOAD_FIRST_BYTE, at + FRAME_HEADER_BYTES);
      if (brace < 0) return -1;
      at = brace - FRAME_HEADER_BYTES - 1;
      continue;
    }
    const length = data.readUInt32LE(at);
    if (length === 0 || length > MAX_RECORD_BYTES || at + FRAME_HEADER_BYTES + length > data.length) continue;
    if (frameEnd(data, at) >= 0) return at;
  }
  return -1;
}

export interface SegmentScan {
  /** Every valid frame, in order. */
  frames: { start: number; end: number }[];
  /** Damaged bytes followed by a valid frame (the scan resynchronised there). */
  damaged: { start: number; end: number }[];
  /** The end of the last valid frame: what follows is a torn or damaged tail. */
  validEnd: number;
}

/** Scans a segment's bytes, resynchronising on the next valid frame after damaged bytes. */
export function scanSegment(data: Buffer): SegmentScan {
  const frames: { start: number; end: number }[] = [];
  const damaged: { start: number; end: number }[] = [];
  let at = 0;
  while (at < data.length) {
    const end = frameEnd(data, at);
    if (end >= 0) {
      frames.push({ start: at, end });
      at = end;
      continue;
    }
    const next = nextFrameStart(data, at + 1);
    if (next < 0) break;
    damaged.push({ start: at, end: next });
    at = next;
  }
  return { frames, damaged, validEnd: at };
}

/** A frame as it is written: header (length, CRC32) then the payload. */
export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export const QUARANTINE_DIRECTORY = 'quarantine';

const ZEROS = Buffer.alloc(64 * 1024);

function isAllZero(data: Buffer): boolean {
  for (let at = 0; at < data.length; at += ZEROS.length) {
    const part = data.subarray(at, at + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

/**
 * A segment file read whole, refused unread when it is larger than any segment the spool
 * writes (an outside write or a file system fault): cutting it could lose records, and
 * reading it could exhaust memory.
 */
function readSegmentFile(file: string): Buffer {
  const fd = openFile(file, constants.O_RDONLY);
  try {
    const { size } = fstatSync(fd);
    if (size > MAX_SEGMENT_FILE_BYTES) throw new Error(`${file} is ${size} bytes, larger than any segment the spool writes (at most ${MAX_SEGMENT_FILE_BYTES}); it was not read or changed: move it out of the directory, or cut it to its records`);
    return readAt(fd, 0, size);
  } finally {
    closeSync(fd);
  }
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
  /** Damaged ranges already quarantined by this process ("segment:offset"): reported once. */
  private readonly quarantinedRanges = new Set<string>();
  /** Set once another process owns the directory: nothing is written or deleted any more. */
  private abandoned = false;
  /** Told about damaged bytes that reading skipped (recovery reports its own in `recovery`). */
  onQuarantine: ((range: QuarantinedRange) => void) | undefined;
  readonly recovery: RecoveryReport;
  /** The segment of the newest anchor record (an integrity digest); 0: none. It and later segments are kept, delivered or not. */
  private anchorSegment = 0;

  /**
   * `isAnchor` tells, at recovery, which records are anchors: records that a restart
   * needs to read back even once delivered (the integrity chain resumes from the
   * last digest and the records after it). append() is told directly.
   */
  constructor(
    readonly directory: string,
    private readonly segmentBytes: number,
    private readonly isAnchor: (payload: Buffer) => boolean = () => false,
  ) {
    this.recovery = this.recover();
  }

  private segmentPath(n: number): string {
    return join(this.directory, segmentName(n));
  }

  /** Opens the segments, quarantines damaged bytes, cuts torn or corrupt tails, and loads the ack position. */
  private recover(): RecoveryReport {
    const numbers = readdirSync(this.directory)
      .map((name) => SEGMENT_PATTERN.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map((digits) => {
        // Above 2^53 the number would name another file, and this one's records would be missed.
        const n = Number(digits);
        if (!Number.isSafeInteger(n)) throw new Error(`${join(this.directory, `segment-${digits}.log`)} has a segment number above ${Number.MAX_SAFE_INTEGER}, which the spool never writes: move it out of the directory`);
        return n;
      })
      .sort((a, b) => a - b);
    const report: RecoveryReport = { segments: numbers.length, replayRecords: 0, truncatedBytes: 0, truncatedSegments: [], quarantinedBytes: 0, quarantined: [] };
    if (numbers.length === 0) numbers.push(1);
    this.ackPosition = this.loadAck(numbers[0]!, numbers[numbers.length - 1]!);

    for (const n of numbers) {
      const file = this.segmentPath(n);
      let data: Buffer;
      try {
        data = readSegmentFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        data = Buffer.alloc(0);
      }
      const scan = scanSegment(data);
      const quarantine = (start: number, end: number) => {
        const range = this.quarantine(n, start, data.subarray(start, end));
        if (range) {
          report.quarantined.push(range);
          report.quarantinedBytes += range.bytes;
        }
      };
      // Damaged bytes with intact frames after them: the frames are kept, the damage is
      // skipped by every read (reading resynchronises the same way).
      for (const range of scan.damaged) quarantine(range.start, range.end);
      if (scan.validEnd < data.length) {
        // A torn write (crash mid-append) or damaged bytes at the end: keep every whole
        // frame before it. A tail of zeros (a file extended but never written, after a
        // power loss) holds nothing to keep.
        if (!isAllZero(data.subarray(scan.validEnd))) quarantine(scan.validEnd, data.length);
        const fd = openFile(file, constants.O_RDWR);
        try {
          ftruncateSync(fd, scan.validEnd);
          fdatasyncSync(fd);
        } finally {
          closeSync(fd);
        }
        report.truncatedBytes += data.length - scan.validEnd;
        report.truncatedSegments.push(segmentName(n));
      }
      this.sizes.set(n, scan.validEnd);
      if (scan.frames.some((f) => this.isAnchor(data.subarray(f.start + FRAME_HEADER_BYTES, f.end)))) this.anchorSegment = n;
      let unacked = scan.frames.length;
      if (n < this.ackPosition.segment) unacked = 0;
      else if (n === this.ackPosition.segment) {
        // The ack is the start of a frame (or of damaged bytes, or the end): anything else
        // means ack.json was damaged; step back to the boundary before it (records are
        // sent again, never skipped).
        const boundaries = [0, ...scan.frames.map((f) => f.start), ...scan.damaged.map((d) => d.start), scan.validEnd];
        const offset = Math.max(...boundaries.filter((b) => b <= this.ackPosition.offset));
        if (offset !== this.ackPosition.offset && this.ackPosition.offset < scan.validEnd) diag.warn(`otel-audit spool ${this.directory}: ${ACK_FILE} points to byte ${this.ackPosition.offset} of ${segmentName(n)}, which is not a record boundary; resending from byte ${offset}`);
        this.ackPosition = { segment: n, offset };
        unacked = scan.frames.filter((f) => f.start >= offset).length;
      }
      this.counts.set(n, unacked);
      this.queued += unacked;
    }
    report.replayRecords = this.queued;
    this.writeSegment = numbers[numbers.length - 1]!;
    this.writeFd = openFile(this.segmentPath(this.writeSegment), WRITE_APPEND);
    this.deleteAckedSegments();
    return report;
  }

  private loadAck(firstSegment: number, lastSegment: number): Position {
    const file = join(this.directory, ACK_FILE);
    let text: string;
    try {
      text = readFileNoFollow(file).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { segment: firstSegment, offset: 0 };
      throw error;
    }
    try {
      const stored = JSON.parse(text) as Position;
      // A segment number beyond the last one on disk would mark every segment delivered.
      if (Number.isInteger(stored.segment) && Number.isInteger(stored.offset) && stored.offset >= 0 && stored.segment >= firstSegment && stored.segment <= lastSegment) return stored;
    } catch {
      // An unreadable ack file means "nothing acknowledged": records are resent, never lost.
    }
    return { segment: firstSegment, offset: 0 };
  }

  /**
   * Copies damaged bytes to quarantine/<segment>-<offset>.bin. Returns undefined when
   * this range was reported before (by this process, or by an earlier start: the same
   * bytes are already in that file).
   */
  private quarantine(segment: number, offset: number, bytes: Buffer): QuarantinedRange | undefined {
    const key = `${segment}:${offset}`;
    if (this.quarantinedRanges.has(key)) return undefined;
    this.quarantinedRanges.add(key);
    const range: QuarantinedRange = { segment: segmentName(segment), offset, bytes: bytes.length };
    if (this.abandoned) return range;
    const base = `${segmentName(segment).replace(/\.log$/, '')}-${offset}`;
    try {
      ensurePrivateDirectory(join(this.directory, QUARANTINE_DIRECTORY));
      let name = `${base}.bin`;
      try {
        if (readFileNoFollow(join(this.directory, QUARANTINE_DIRECTORY, name)).equals(bytes)) return undefined;
        name = `${base}-${Date.now()}.bin`; // other bytes at the same place (segment numbers were reused)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      createFile(join(this.directory, QUARANTINE_DIRECTORY, name), bytes);
      range.file = `${QUARANTINE_DIRECTORY}/${name}`;
    } catch (error) {
      // Disk full: the damaged bytes are still skipped (they cannot be delivered); the report says the copy is missing.
      range.error = `could not copy them to ${QUARANTINE_DIRECTORY}/: ${(error as Error).message}`;
    }
    return range;
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

  /** Appends one record with a synchronous write; returns the position after it. An anchor's segment and later ones are kept (see isAnchor). */
  append(payload: Buffer, anchor = false): Position {
    if (payload.length === 0 || payload.length > MAX_RECORD_BYTES) throw new Error(`record of ${payload.length} bytes is outside 1..${MAX_RECORD_BYTES}`);
    if (this.abandoned) throw new Error('another process owns the spool directory now');
    const frame = encodeFrame(payload);
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
    if (anchor) this.anchorSegment = this.writeSegment;
    return { segment: this.writeSegment, offset: size };
  }

  /**
   * The first segment kept whether delivered or not: the newest anchor's, else the
   * newest that holds a record (so the last record appended survives a restart even
   * when everything was delivered).
   */
  private retainedFrom(): number {
    let newest = 0;
    for (const [n, size] of this.sizes) if (size > 0 && n > newest) newest = n;
    if (newest === 0) newest = this.writeSegment;
    return this.anchorSegment > 0 ? Math.min(this.anchorSegment, newest) : newest;
  }

  /** The records of the kept segments (the newest anchor and everything after it), delivered or not, in order. */
  retainedPayloads(): Buffer[] {
    const payloads: Buffer[] = [];
    const from = this.retainedFrom();
    for (const n of [...this.sizes.keys()].sort((a, b) => a - b)) {
      if (n < from) continue;
      const data = readFileNoFollow(this.segmentPath(n)).subarray(0, this.sizes.get(n));
      for (const frame of scanSegment(data).frames) payloads.push(data.subarray(frame.start + FRAME_HEADER_BYTES, frame.end));
    }
    return payloads;
  }

  /**
   * After a failed append: opens the write segment again by name (a fresh descriptor
   * once space is back) and cuts it to the last whole frame. Throws, changing nothing,
   * while that is impossible, so nothing is ever appended after a torn frame.
   */
  private reopenWriteSegment(): void {
    const size = this.sizes.get(this.writeSegment) ?? 0;
    const fd = openFile(this.segmentPath(this.writeSegment), WRITE_APPEND);
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
    const fd = openFile(this.segmentPath(this.writeSegment + 1), WRITE_APPEND);
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

  /**
   * Reads up to `max` records starting at `from`; crosses into later segments. Damaged
   * bytes are skipped to the next valid frame (and quarantined), so a read always ends
   * past `from` unless there is nothing left to read.
   */
  read(from: Position, max: number, maxBytes = Number.POSITIVE_INFINITY): ReadBatch {
    const batch: ReadBatch = { payloads: [], ends: [], bytes: 0, end: from };
    let position = from;
    while (batch.payloads.length < max && batch.bytes < maxBytes) {
      position = this.normalize(position);
      const size = this.sizes.get(position.segment);
      if (size === undefined || position.offset >= size) break;
      // One read for many frames: a chunk up to READ_CHUNK_BYTES.
      const fd = this.readFd(position.segment);
      const chunk = readAt(fd, position.offset, Math.min(size - position.offset, READ_CHUNK_BYTES));
      let at = 0;
      while (batch.payloads.length < max && batch.bytes < maxBytes) {
        const end = frameEnd(chunk, at);
        if (end < 0) break; // the next chunk starts with this frame
        batch.payloads.push(chunk.subarray(at + FRAME_HEADER_BYTES, end));
        batch.bytes += end - at;
        at = end;
        batch.ends.push({ segment: position.segment, offset: position.offset + at });
      }
      if (at === 0) {
        // No whole frame at the start of the chunk: one frame larger than a chunk, or damage.
        const large = this.largeFrameAt(fd, position.offset, size);
        if (large) {
          batch.payloads.push(large.subarray(FRAME_HEADER_BYTES));
          batch.bytes += large.length;
          at = large.length;
          batch.ends.push({ segment: position.segment, offset: position.offset + at });
        } else {
          at = this.skipDamage(fd, position.segment, position.offset, size);
        }
      }
      position = { segment: position.segment, offset: position.offset + at };
      batch.end = position;
    }
    return batch;
  }

  /** The whole frame at `offset` when it is valid and larger than a read chunk. */
  private largeFrameAt(fd: number, offset: number, size: number): Buffer | undefined {
    const header = readAt(fd, offset, FRAME_HEADER_BYTES);
    if (header.length < FRAME_HEADER_BYTES) return undefined;
    const length = header.readUInt32LE(0);
    if (length <= READ_CHUNK_BYTES - FRAME_HEADER_BYTES || length > MAX_RECORD_BYTES || offset + FRAME_HEADER_BYTES + length > size) return undefined;
    const frame = readAt(fd, offset, FRAME_HEADER_BYTES + length);
    return frameEnd(frame, 0) === frame.length ? frame : undefined;
  }

  /**
   * Bytes at `offset` that are not a valid frame (the file changed underneath the spool,
   * or damage recovery already found): skips to the next valid frame of the segment, or
   * to its end, and quarantines what was skipped. Returns how many bytes were skipped.
   */
  private skipDamage(fd: number, segment: number, offset: number, size: number): number {
    const rest = readAt(fd, offset, size - offset);
    const next = nextFrameStart(rest, 1);
    const skipped = next < 0 ? size - offset : next;
    const range = this.quarantine(segment, offset, rest.subarray(0, next < 0 ? rest.length : next));
    if (range) {
      this.recountQueued();
      this.onQuarantine?.(range);
    }
    return skipped;
  }

  /**
   * Counts the undelivered records again from the files: after damage appeared while
   * running, the records counted at append time include some that are gone. Rare (a
   * disk fault), so a full scan is fine.
   */
  private recountQueued(): void {
    let queued = 0;
    for (const [segment, size] of this.sizes) {
      if (segment < this.ackPosition.segment) continue;
      const { frames } = scanSegment(readAt(this.readFd(segment), 0, size));
      queued += segment > this.ackPosition.segment ? frames.length : frames.filter((f) => f.start >= this.ackPosition.offset).length;
    }
    this.queued = queued;
  }

  /**
   * A position at the end of a finished segment is the start of the next segment on disk
   * (numbers may jump: segments copied in from another spool), found without counting
   * through the gap.
   */
  private normalize(position: Position): Position {
    let current = position;
    while (current.segment < this.writeSegment && current.offset >= (this.sizes.get(current.segment) ?? 0)) {
      let next = this.writeSegment;
      for (const n of this.sizes.keys()) if (n > current.segment && n < next) next = n;
      current = { segment: next, offset: 0 };
    }
    return current;
  }

  private readFd(segment: number): number {
    let fd = this.readFds.get(segment);
    if (fd === undefined) {
      fd = openFile(this.segmentPath(segment), constants.O_RDONLY);
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
    if (this.abandoned || comparePositions(to, this.ackPosition) <= 0) return;
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
    if (this.writeFd < 0 || this.abandoned) return;
    const file = join(this.directory, ACK_FILE);
    try {
      replaceFile(file, JSON.stringify(this.ackPosition));
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
    if (this.abandoned) return;
    const retained = this.retainedFrom();
    for (const n of [...this.sizes.keys()]) {
      if (n >= this.ackPosition.segment || n === this.writeSegment || n >= retained) continue;
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

  /**
   * Another process owns the directory now: from here on nothing is appended, no
   * acknowledgement is written and no segment deleted. The files stay as they are for
   * that process; `close()` later only closes descriptors.
   */
  abandon(): void {
    this.abandoned = true;
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
  }

  close(): void {
    if (this.writeFd >= 0 && !this.abandoned) this.persistAck();
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
