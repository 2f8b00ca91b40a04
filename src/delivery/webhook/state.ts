// Persisted delivery target state (auto-disabled or not), one JSON file in the
// spool directory, shared by every webhook exporter using that directory.
import { join } from 'node:path';
import { OtelAuditError } from '../../errors.js';
import { readFileNoFollow, replaceFile } from '../durable/safe-fs.js';

export interface StoredTargetState {
  disabled: boolean;
  consecutiveFailures: number;
  disabledAt?: string;
  reason?: string;
}

export const TARGET_STATES_FILE = 'targets.json';

/** A state as writeTargetState writes it: anything else in a damaged file (a string for `disabled`, a missing count) is not one. */
function isTargetState(state: unknown): state is StoredTargetState {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return false;
  const { disabled, consecutiveFailures, disabledAt, reason } = state as Record<string, unknown>;
  return typeof disabled === 'boolean' && typeof consecutiveFailures === 'number' && Number.isSafeInteger(consecutiveFailures) && consecutiveFailures >= 0 && (disabledAt === undefined || typeof disabledAt === 'string') && (reason === undefined || typeof reason === 'string');
}

export function readTargetStates(directory: string): Record<string, StoredTargetState> {
  const file = join(directory, TARGET_STATES_FILE);
  let text: string;
  try {
    text = readFileNoFollow(file).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    // Only plain state objects by name; anything else in a damaged file is ignored.
    const states = Object.create(null) as Record<string, StoredTargetState>;
    if (typeof parsed === 'object' && parsed !== null) for (const [name, state] of Object.entries(parsed)) if (isTargetState(state)) states[name] = state;
    return states;
  } catch {
    return {};
  }
}

export function writeTargetState(directory: string, name: string, state: StoredTargetState): void {
  const file = join(directory, TARGET_STATES_FILE);
  const all = readTargetStates(directory);
  all[name] = state;
  // 0600, never through a symlink planted at targets.json.tmp (durable/safe-fs.ts).
  replaceFile(file, `${JSON.stringify(all, null, 2)}\n`);
}

/** Re-enables an auto-disabled delivery target: a running exporter reads the state file again at its next export attempt (or call its enable()). */
export function enableTarget(directory: string, name: string): void {
  const states = readTargetStates(directory);
  if (!states[name]) throw new OtelAuditError('OPTION_INVALID', `${join(directory, TARGET_STATES_FILE)} has no delivery target ${JSON.stringify(name)} (known: ${Object.keys(states).join(', ') || 'none'})`);
  writeTargetState(directory, name, { disabled: false, consecutiveFailures: 0 });
}
