// Persisted destination state (auto-disabled or not), one JSON file in the
// spool directory, shared by every webhook destination using that directory.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredDestinationState {
  disabled: boolean;
  consecutiveFailures: number;
  disabledAt?: string;
  reason?: string;
}

export const DESTINATIONS_FILE = 'destinations.json';

export function readDestinationStates(directory: string): Record<string, StoredDestinationState> {
  const file = join(directory, DESTINATIONS_FILE);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, StoredDestinationState>;
  } catch {
    return {};
  }
}

export function writeDestinationState(directory: string, name: string, state: StoredDestinationState): void {
  const file = join(directory, DESTINATIONS_FILE);
  const all = readDestinationStates(directory);
  all[name] = state;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Re-enables an auto-disabled destination (a running exporter picks it up on its next start, or call its enable()). */
export function enableDestination(directory: string, name: string): void {
  const states = readDestinationStates(directory);
  if (!states[name]) throw new Error(`${join(directory, DESTINATIONS_FILE)} has no destination ${JSON.stringify(name)} (known: ${Object.keys(states).join(', ') || 'none'})`);
  writeDestinationState(directory, name, { disabled: false, consecutiveFailures: 0 });
}
