// One process per spool directory: two writers would interleave frames and delete
// each other's segments. The lock is a lease, so that it holds between processes
// that cannot see each other's pids (two containers sharing a volume, two hosts on
// a network file system):
// - the lock file holds a random owner token, the hostname, the pid, an identity of
//   the PID namespace and a heartbeat time (ms since the epoch);
// - the holder renews the heartbeat every couple of seconds and checks each time that
//   the file is still its own; once it is not, it has lost the lock and stops;
// - another process takes the lock over only when the heartbeat is older than the
//   lease, or when the holder is provably gone: same boot and PID namespace as this
//   process, and its pid no longer exists (a restart after kill -9). A pid that only
//   looks dead, seen from another PID namespace or host, proves nothing.
// Taking the lock is link(2) of a fully written temporary file, so the lock file
// appears whole or not at all. Taking over moves the stale file aside first and
// checks that what it moved is still that stale lock, so two contenders cannot both
// win, and a holder that renewed meanwhile keeps its lock.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, linkSync, lstatSync, readFileSync, readlinkSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { SpoolLockedError } from './errors.js';
import { openFile, readAt } from './safe-fs.js';

export const LOCK_FILE = 'lock';
export const DEFAULT_LOCK_LEASE_MILLIS = 15_000;
/** The heartbeat is renewed this often (or every fifth of the lease, if that is shorter). */
const MAX_RENEW_MILLIS = 2000;
const MAX_LOCK_FILE_BYTES = 4096;

interface LockContent {
  token: string;
  hostname: string;
  pid: number;
  /** Boot id and PID namespace (Linux): where `pid` means something. */
  namespace?: string;
  leaseMillis: number;
  heartbeatMillis: number;
}

interface ExistingLock {
  raw: string;
  /** undefined when the file is not a lock of this format (an older version wrote a bare pid). */
  content: LockContent | undefined;
  mtimeMillis: number;
}

let cachedNamespace: string | null | undefined;

/** Identifies the PID namespace on this boot, so a pid seen in a lock file can be checked; undefined off Linux. */
function namespaceId(): string | undefined {
  if (cachedNamespace === undefined) {
    try {
      cachedNamespace = `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()} ${readlinkSync('/proc/self/ns/pid')}`;
    } catch {
      cachedNamespace = null;
    }
  }
  return cachedNamespace ?? undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Tokens of the locks this process holds. */
const heldTokens = new Set<string>();

function parse(raw: string): LockContent | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockContent>;
    if (typeof value.token === 'string' && typeof value.heartbeatMillis === 'number' && Number.isFinite(value.heartbeatMillis)) return value as LockContent;
  } catch {
    // not this format
  }
  return undefined;
}

function readLock(file: string): ExistingLock | undefined {
  let fd: number;
  try {
    fd = openFile(file, constants.O_RDONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const raw = readAt(fd, 0, MAX_LOCK_FILE_BYTES).toString('utf8');
    return { raw, content: parse(raw), mtimeMillis: fstatSync(fd).mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** Why `existing` may be taken over, or undefined while its holder may be alive. */
function staleBecause(existing: ExistingLock, leaseMillis: number, now: number): string | undefined {
  const lock = existing.content;
  if (lock && heldTokens.has(lock.token)) return undefined; // held by this very process
  const namespace = namespaceId();
  if (lock && namespace !== undefined && lock.namespace === namespace && Number.isInteger(lock.pid) && lock.pid > 0 && (lock.pid === process.pid || !alive(lock.pid))) {
    return `its process ${lock.pid} (same boot and PID namespace as this one) is gone`;
  }
  if (!lock) {
    // A lock of an older version: a bare pid and no heartbeat. A live process with that
    // pid keeps it; otherwise the file's mtime stands in for the heartbeat.
    const pid = Number(existing.raw.trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return undefined;
  }
  // Without a readable heartbeat, the file's mtime stands in.
  const heartbeat = lock?.heartbeatMillis ?? existing.mtimeMillis;
  const lease = Math.max(leaseMillis, lock?.leaseMillis ?? 0);
  const age = now - heartbeat;
  return age > lease ? `its lease was last renewed ${Math.round(age / 1000)} s ago (lease ${lease / 1000} s)` : undefined;
}

function lockedBy(directory: string, existing: ExistingLock | undefined, leaseMillis: number, lost = false): SpoolLockedError {
  const lock = existing?.content;
  const lease = Math.max(leaseMillis, lock?.leaseMillis ?? 0);
  const heartbeat = lock?.heartbeatMillis ?? existing?.mtimeMillis;
  const bare = Number(existing?.raw.trim()); // a lock of an older version: a bare pid
  return new SpoolLockedError(directory, lock && Number.isInteger(lock.pid) ? lock.pid : Number.isInteger(bare) && bare > 0 ? bare : -1, {
    hostname: lock?.hostname,
    heartbeatAgeMillis: heartbeat === undefined ? undefined : Date.now() - heartbeat,
    leaseMillis: lease,
    lost,
  });
}

function writeContent(fd: number, content: LockContent, previousLength: number): number {
  const data = Buffer.from(`${JSON.stringify(content)}\n`);
  // In place, at offset 0: no new blocks are needed, so the lease is renewed even on a full disk.
  writeSync(fd, data, 0, data.length, 0);
  if (data.length < previousLength) ftruncateSync(fd, data.length);
  return data.length;
}

function sameFile(a: { ino: number; dev: number }, b: { ino: number; dev: number }): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

export interface DirectoryLock {
  /** Removes the lock file if it is still this process's. */
  release(): void;
}

export interface LockOptions {
  leaseMillis: number;
  /** Called once, from the heartbeat, when the lock file is no longer this process's. */
  onLost: (error: SpoolLockedError) => void;
}

export function lockDirectory(directory: string, options: LockOptions): DirectoryLock {
  const file = join(directory, LOCK_FILE);
  const token = randomBytes(16).toString('hex');
  const content: LockContent = { token, hostname: hostname(), pid: process.pid, namespace: namespaceId(), leaseMillis: options.leaseMillis, heartbeatMillis: Date.now() };
  const tmp = join(directory, `${LOCK_FILE}.${token}.tmp`);
  const fd = openFile(tmp, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL);
  let length = 0;
  let tookOver: string | undefined;
  try {
    length = writeContent(fd, content, 0);
    fdatasyncSync(fd);
    for (let attempt = 0; ; attempt++) {
      // Contenders that keep replacing the lock under us: give up rather than loop.
      if (attempt >= 5) throw lockedBy(directory, readLock(file), options.leaseMillis);
      try {
        linkSync(tmp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = readLock(file);
      if (!existing) continue; // released meanwhile
      const why = staleBecause(existing, options.leaseMillis, Date.now());
      if (why === undefined) throw lockedBy(directory, existing, options.leaseMillis);
      if (moveAsideIfUnchanged(directory, file, existing, token, options.leaseMillis)) tookOver = `${existing.content ? `process ${existing.content.pid} on host ${existing.content.hostname}` : 'an older lock'}: ${why}`;
    }
    unlinkSync(tmp); // `lock` is now the only name of this file
    // Confirm: `lock` is this file, with this token.
    const linked = lstatSync(file);
    const check = readLock(file);
    if (!sameFile(linked, fstatSync(fd)) || check?.content?.token !== token) throw lockedBy(directory, check, options.leaseMillis);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw error;
  }
  if (tookOver) diag.warn(`otel-audit spool ${directory}: took over the lock of ${tookOver}`);
  heldTokens.add(token);
  const own = fstatSync(fd);
  let state: 'held' | 'lost' | 'released' = 'held';

  const lose = (other: ExistingLock | undefined) => {
    state = 'lost';
    clearInterval(timer);
    heldTokens.delete(token);
    closeSync(fd);
    options.onLost(lockedBy(directory, other, options.leaseMillis, true));
  };

  // Renews the lease, after checking that the lock file is still this one.
  const renew = () => {
    if (state !== 'held') return;
    try {
      if (!sameFile(lstatSync(file), own)) return lose(readLock(file));
      const current = parse(readAt(fd, 0, MAX_LOCK_FILE_BYTES).toString('utf8'));
      if (current?.token !== token) return lose({ raw: '', content: current, mtimeMillis: Date.now() });
      content.heartbeatMillis = Date.now();
      length = writeContent(fd, content, length);
      // Flushed so that other hosts see it (network file systems); off the event loop.
      fdatasync(fd, () => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return lose(undefined);
      // An I/O error: try again at the next beat. Should the lease run out meanwhile and
      // another process take over, the next successful check sees it.
      diag.warn(`otel-audit spool ${directory}: could not renew the lock lease: ${(error as Error).message}`);
    }
  };
  const timer = setInterval(renew, Math.min(MAX_RENEW_MILLIS, options.leaseMillis / 5));
  timer.unref();

  return {
    release() {
      if (state !== 'held') return;
      state = 'released';
      clearInterval(timer);
      heldTokens.delete(token);
      // Moved aside first, so that a lock another process put in its place is never deleted.
      const aside = `${file}.release-${token}`;
      try {
        renameSync(file, aside);
        if (!sameFile(lstatSync(aside), own)) {
          try {
            linkSync(aside, file);
          } catch {
            // a third process took the free slot: its lock stands
          }
        }
        unlinkSync(aside);
      } catch {
        // already gone
      }
      closeSync(fd);
    },
  };
}

/**
 * Moves the stale lock `existing` out of the way. Returns false when it is already gone
 * (another contender moved it). Throws SpoolLockedError when what it moved is no longer
 * that stale lock (its holder renewed it, or a contender's fresh lock took its place),
 * after putting it back.
 */
function moveAsideIfUnchanged(directory: string, file: string, existing: ExistingLock, token: string, leaseMillis: number): boolean {
  const aside = `${file}.stale-${token}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readLock(aside);
  if (moved && moved.raw === existing.raw) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, file);
  } catch {
    // Another contender took the free slot meanwhile; the holder we moved sees its loss at its next heartbeat.
  }
  unlinkSync(aside);
  throw lockedBy(directory, moved, leaseMillis);
}
