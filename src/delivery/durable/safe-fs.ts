// File access for the spool directory. The spool holds audit data and may sit in a
// folder other local users can write to, so:
// - the directory is created 0700 and must belong to this user and not be
//   group- or world-writable;
// - every file is created 0600;
// - no file is opened through a symbolic link (O_NOFOLLOW): a segment or
//   `ack.json.tmp` planted as a symlink makes the spool refuse, instead of
//   truncating or overwriting whatever the link points to;
// - a temporary file is unlinked and created anew (O_EXCL), so a planted hard link
//   is never written through either.
import { closeSync, constants, fchmodSync, fdatasyncSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { SpoolOptionError } from './errors.js';

// O_NOFOLLOW is 0 where the platform lacks it (Windows has no such symlink attack on open).
// O_NONBLOCK: opening a planted FIFO must fail or return at once, never hang; it changes
// nothing for regular files.
const NO_FOLLOW = (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
export const FILE_MODE = 0o600;
export const DIRECTORY_MODE = 0o700;

/** An error with the system code of its cause, and a message that says what is wrong with which file. */
function fileError(file: string, cause: unknown): NodeJS.ErrnoException {
  const code = (cause as NodeJS.ErrnoException).code;
  const reason = code === 'ELOOP' ? 'is a symbolic link; the spool never opens a file through a symbolic link (remove it)' : cause instanceof Error ? cause.message : String(cause);
  const error: NodeJS.ErrnoException = new Error(`${file} ${reason}`, { cause });
  if (code !== undefined) error.code = code;
  return error;
}

/**
 * Opens a file of the spool without following a symbolic link, creating it 0600 when
 * `flags` has O_CREAT. Anything but a regular file is refused. A file we write that an
 * older version created with a wider mode is narrowed to 0600.
 */
export function openFile(file: string, flags: number): number {
  let fd: number;
  try {
    fd = openSync(file, flags | NO_FOLLOW, FILE_MODE);
  } catch (error) {
    throw fileError(file, error);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw fileError(file, new Error('is not a regular file; the spool writes only regular files (remove it)'));
    if ((flags & (constants.O_WRONLY | constants.O_RDWR)) !== 0 && (stat.mode & 0o077) !== 0) fchmodSync(fd, FILE_MODE);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

export const WRITE_APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;

/** The most one read(2) call is asked for: above 2 GiB Node's readSync returns 0, as if the file ended. */
const MAX_READ_CALL_BYTES = 1024 * 1024 * 1024;

/** Reads `length` bytes at `position`; the result is shorter when the file is. */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, Math.min(length - read, MAX_READ_CALL_BYTES), position + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}

/** The whole file, read without following a symbolic link. */
export function readFileNoFollow(file: string): Buffer {
  const fd = openFile(file, constants.O_RDONLY);
  try {
    return readAt(fd, 0, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}

/** Appends `data` (0600, no symlink); with `sync`, it is on disk when this returns. */
export function appendToFile(file: string, data: string | Buffer, sync = false): void {
  const fd = openFile(file, WRITE_APPEND);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (sync) fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates a new file (it must not exist) holding `data`, 0600, synced. */
export function createFile(file: string, data: Buffer): void {
  const fd = openFile(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
  try {
    writeAll(fd, data);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `file` atomically: writes `<file>.tmp`, then renames it over `file`. The
 * temporary file is unlinked and created anew (O_EXCL), so a symlink or hard link
 * planted under its name is never written through. rename(2) replaces a symlink
 * at `file` itself, never its target.
 */
export function replaceFile(file: string, data: string): void {
  const tmp = `${file}.tmp`;
  try {
    const stat = lstatSync(tmp);
    // A symlink planted as the temporary file: refuse (and say so) rather than quietly remove it.
    if (stat.isSymbolicLink()) throw fileError(tmp, Object.assign(new Error('symbolic link'), { code: 'ELOOP' }));
    unlinkSync(tmp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fd = openFile(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
  try {
    writeAll(fd, Buffer.from(data));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Creates a private subdirectory (0700), or checks that the existing one is a real directory. */
export function ensurePrivateDirectory(directory: string): void {
  try {
    mkdirSync(directory, { mode: DIRECTORY_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = lstatSync(directory);
  if (!stat.isDirectory()) throw fileError(directory, stat.isSymbolicLink() ? Object.assign(new Error('symbolic link'), { code: 'ELOOP' }) : new Error('is not a directory'));
}

/** Names the spool opens or creates in its directory; none of them may be a symlink or a special file. */
const SPOOL_FILE = /^(segment-\d{20}\.log|ack\.json(\.tmp)?|lock|deliveries\.jsonl(\.1)?|dead-letter\.jsonl|targets\.json(\.tmp)?)$/;
const SPOOL_DIRECTORY = /^quarantine$/;

function refuse(directory: string, reason: string): never {
  throw new SpoolOptionError('directory', `${directory} ${reason}`, { code: 'SPOOL_DIRECTORY_UNSAFE' });
}

/**
 * Creates the spool directory 0700, or checks an existing one: a real directory (not a
 * symlink), owned by this user, not writable by group or others, and holding no
 * symlink or special file under a name the spool uses.
 */
export function prepareSpoolDirectory(directory: string): void {
  let stat: Stats;
  try {
    stat = lstatSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new SpoolOptionError('directory', `${directory} cannot be read: ${(error as Error).message}`, { code: 'SPOOL_DIRECTORY_UNSAFE' });
    mkdirSync(directory, { recursive: true, mode: DIRECTORY_MODE });
    stat = lstatSync(directory);
  }
  if (stat.isSymbolicLink()) refuse(directory, 'is a symbolic link; the spool never follows symbolic links: give the real path of the directory');
  if (!stat.isDirectory()) refuse(directory, 'is not a directory');
  const uid = process.getuid?.();
  if (uid !== undefined) {
    if (stat.uid !== uid) refuse(directory, `is owned by uid ${stat.uid}, not by this process (uid ${uid}); the spool holds audit data, so it uses only a directory of its own user (chown it, or choose another directory)`);
    if ((stat.mode & 0o022) !== 0) refuse(directory, `is writable by ${(stat.mode & 0o002) !== 0 ? 'every user' : 'its group'} (mode ${(stat.mode & 0o777).toString(8)}); another user could plant or change spool files there: chmod 700 it`);
  }
  for (const name of readdirSync(directory)) {
    const isFile = SPOOL_FILE.test(name);
    if (!isFile && !SPOOL_DIRECTORY.test(name)) continue;
    const entry = lstatSync(join(directory, name));
    if (entry.isSymbolicLink()) refuse(directory, `holds ${basename(name)} as a symbolic link; the spool never writes through a symbolic link: remove ${join(directory, name)}`);
    if (isFile ? !entry.isFile() : !entry.isDirectory()) refuse(directory, `holds ${basename(name)}, which is not a regular ${isFile ? 'file' : 'directory'}: remove ${join(directory, name)}`);
  }
}
