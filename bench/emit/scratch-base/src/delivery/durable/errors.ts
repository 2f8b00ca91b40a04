// Errors a caller of the durable spool can see. Each says what happened and what to do.
import { OtelAuditError } from '../../errors.js';

/** Thrown by `onEmit` (so by `logger.emit`) when the spool is full and `onFull` is `'reject'`. */
export class SpoolFullError extends OtelAuditError {
  override readonly name = 'SpoolFullError';
  constructor(
    readonly directory: string,
    readonly queuedBytes: number,
    readonly maxBytes: number,
  ) {
    super('SPOOL_FULL', `audit spool ${directory} is full: ${queuedBytes} bytes queued, maxBytes is ${maxBytes}; the record was NOT written (the destination is down or paused; raise maxBytes or choose onFull 'block' or 'drop-oldest')`, { file: directory });
  }
}

/**
 * Thrown by `onEmit` when the record could not be appended (disk full, permissions): the
 * record was not kept. Records accepted before are intact; the next emit tries again.
 */
export class SpoolWriteError extends OtelAuditError {
  override readonly name = 'SpoolWriteError';
  /** The system error code of the cause, e.g. 'ENOSPC' for a full disk. */
  readonly systemCode: string | undefined;
  constructor(
    readonly directory: string,
    cause: unknown,
  ) {
    const systemCode = (cause as NodeJS.ErrnoException | undefined)?.code;
    const hint = systemCode === 'ENOSPC' || systemCode === 'EDQUOT' ? '; free space on that file system, later emits succeed again by themselves' : '';
    super('SPOOL_WRITE_FAILED', `audit spool ${directory}: could not append the record, it was NOT written: ${cause instanceof Error ? cause.message : String(cause)}${hint}`, { file: directory }, { cause });
    this.systemCode = systemCode;
  }
}

/** Who holds a spool's lock, as its lock file says. */
export interface SpoolLockOwner {
  hostname?: string;
  /** Milliseconds since the holder last renewed its lease. */
  heartbeatAgeMillis?: number;
  /** The lease: after this long without a heartbeat the lock may be taken over. */
  leaseMillis?: number;
  /** This process held the lock and lost it (another process took it over). */
  lost?: boolean;
}

function describeOwner(pid: number, owner: SpoolLockOwner): string {
  const who = pid > 0 ? `process ${pid}` : 'another process';
  return owner.hostname ? `${who} on host ${owner.hostname}` : who;
}

/**
 * Thrown at creation when another process holds the spool directory (its lease is
 * fresh), and by `onEmit` once this process lost the directory to another one: from
 * then on nothing is written or sent by this process.
 */
export class SpoolLockedError extends OtelAuditError {
  override readonly name = 'SpoolLockedError';
  /** The holder's pid (in its own PID namespace), -1 when unknown. */
  readonly pid: number;
  readonly hostname: string | undefined;
  constructor(
    readonly directory: string,
    pid: number,
    owner: SpoolLockOwner = {},
  ) {
    const who = describeOwner(pid, owner);
    let message: string;
    if (owner.lost) {
      message = `audit spool ${directory}: this process lost the directory's lock to ${who}; it stopped writing and sending, and records emitted from now on are NOT written. Each process needs its own spool directory`;
    } else {
      const age = owner.heartbeatAgeMillis;
      const lease = owner.leaseMillis;
      const when = age !== undefined && lease !== undefined ? ` (lease renewed ${Math.max(0, Math.round(age / 1000))} s ago; if that process is gone, the lock may be taken over in ${Math.max(1, Math.ceil((lease - age) / 1000))} s)` : '';
      message = `audit spool ${directory} is in use by ${who}${when}; each process needs its own spool directory`;
    }
    super('SPOOL_LOCKED', message, { file: directory });
    this.pid = pid;
    this.hostname = owner.hostname;
  }
}

/** A bad option, naming the option and the reason. */
export class SpoolOptionError extends OtelAuditError {
  override readonly name = 'SpoolOptionError';
  constructor(option: string, reason: string, options?: ErrorOptions & { code?: 'SPOOL_OPTION_INVALID' | 'SPOOL_DIRECTORY_UNSAFE' }) {
    super(options?.code ?? 'SPOOL_OPTION_INVALID', `createDurableLogRecordProcessor: option ${option} ${reason}`, { path: option }, options);
  }
}
