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

/** Thrown when another live process holds the spool directory. */
export class SpoolLockedError extends OtelAuditError {
  override readonly name = 'SpoolLockedError';
  constructor(
    readonly directory: string,
    readonly pid: number,
  ) {
    super('SPOOL_LOCKED', `audit spool ${directory} is in use by process ${pid}; each process needs its own spool directory`, { file: directory });
  }
}

/** A bad option, naming the option and the reason. */
export class SpoolOptionError extends OtelAuditError {
  override readonly name = 'SpoolOptionError';
  constructor(option: string, reason: string) {
    super('SPOOL_OPTION_INVALID', `createDurableLogRecordProcessor: option ${option} ${reason}`, { path: option });
  }
}
