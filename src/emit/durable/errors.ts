// Errors a caller of the durable spool can see. Each says what happened and what to do.

/** Thrown by `onEmit` (so by `logger.emit`) when the spool is full and `onFull` is `'reject'`. */
export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';
  constructor(
    readonly directory: string,
    readonly queuedBytes: number,
    readonly maxBytes: number,
  ) {
    super(`audit spool ${directory} is full: ${queuedBytes} bytes queued, maxBytes is ${maxBytes}; the record was NOT written (the destination is down or paused; raise maxBytes or choose onFull 'block' or 'drop-oldest')`);
  }
}

/**
 * Thrown by `onEmit` when the record could not be appended (disk full, permissions): the
 * record was not kept. Records accepted before are intact; the next emit tries again.
 */
export class SpoolWriteError extends Error {
  override readonly name = 'SpoolWriteError';
  /** The system error code of the cause, e.g. 'ENOSPC' for a full disk. */
  readonly code: string | undefined;
  constructor(
    readonly directory: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const hint = code === 'ENOSPC' || code === 'EDQUOT' ? '; free space on that file system, later emits succeed again by themselves' : '';
    super(`audit spool ${directory}: could not append the record, it was NOT written: ${cause instanceof Error ? cause.message : String(cause)}${hint}`, { cause });
    this.code = code;
  }
}

/** Thrown when another live process holds the spool directory. */
export class SpoolLockedError extends Error {
  override readonly name = 'SpoolLockedError';
  constructor(
    readonly directory: string,
    readonly pid: number,
  ) {
    super(`audit spool ${directory} is in use by process ${pid}; each process needs its own spool directory`);
  }
}

/** A bad option, naming the option and the reason. */
export class SpoolOptionError extends Error {
  override readonly name = 'SpoolOptionError';
  constructor(option: string, reason: string) {
    super(`createDurableLogRecordProcessor: option ${option} ${reason}`);
  }
}
