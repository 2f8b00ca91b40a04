// The canonical audit event: what a service says happened, before it becomes
// a log record. schemas/event.schema.json describes the same shape.

export type Severity = 'info' | 'warning' | 'alert' | 'critical';
export type Outcome = 'success' | 'failure' | 'unknown';

export interface Actor {
  id?: string;
  /** user, service, system, api_token, ... */
  type?: string;
  email?: string;
  name?: string;
  ip?: string;
  userAgent?: string;
}

export interface Target {
  type?: string;
  id?: string;
  name?: string;
}

/** The canonical event without its name and data (those are typed by the catalog). */
export interface AuditEventFields {
  /** UUIDv7 or ULID; made with node:crypto if absent. */
  id?: string;
  /** api, cli, ui, system, ... */
  source?: string;
  /** Defaults to now. A string must be RFC 3339. */
  time?: Date | string;
  /** Defaults to the catalog event's severity, else info. */
  severity?: Severity;
  outcome?: Outcome;
  actor?: Actor;
  target?: Target;
  organization?: string;
  team?: string;
  cloudAccount?: string;
  subscription?: string;
  transactionId?: string;
}

export interface AuditEvent extends AuditEventFields {
  name: string;
  data?: Record<string, unknown>;
}

/** The canonical event as it travels in the record body: id and time filled, JSON values only. */
export interface CanonicalEvent extends Omit<AuditEvent, 'time' | 'severity'> {
  id: string;
  time: string;
  severity: Severity;
}
