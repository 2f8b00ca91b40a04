// Persisted delivery target state (auto-disabled or not), one JSON file in the
// spool directory, shared by every webhook exporter using that directory.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OtelAuditError } from '../../errors.js';

export interface StoredTargetState {
  disabled: boolean;
  consecutiveFailures: number;
  disabledAt?: string;
  reason?: string;
}

export const TARGET_STATES_FILE = 'targets.json';

export function readTargetStates(directory: string): Record<string, StoredTargetState> {
  const file = join(directory, TARGET_STATES_FILE);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, StoredTargetState>;
  } catch {
    return {};
  }
}

export function writeTargetState(directory: string, name: string, state: StoredTargetState): void {
  const file = join(directory, TARGET_STATES_FILE);
  const all = readTargetStates(directory);
  all[name] = state;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Re-enables an auto-disabled delivery target: a running exporter reads the state file again at its next export attempt (or call its enable()). */
export function enableTarget(directory: string, name: string): void {
  const states = readTargetStates(directory);
  if (!states[name]) throw new OtelAuditError('OPTION_INVALID', `${join(directory, TARGET_STATES_FILE)} has no delivery target ${JSON.stringify(name)} (known: ${Object.keys(states).join(', ') || 'none'})`);
  writeTargetState(directory, name, { disabled: false, consecutiveFailures: 0 });
}
