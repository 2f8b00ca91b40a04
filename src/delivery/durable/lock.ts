// One process per spool directory: two writers would interleave frames.
// A lock left by a killed process (its pid is gone) is taken over.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpoolLockedError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Directories this process holds; a pid match alone is not proof (a container restart reuses pids).
const held = new Set<string>();

export function lockDirectory(directory: string): () => void {
  const file = join(directory, 'lock');
  if (held.has(file)) throw new SpoolLockedError(directory, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      held.add(file);
      return () => {
        held.delete(file);
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new SpoolLockedError(directory, pid);
      unlinkSync(file);
    }
  }
  throw new SpoolLockedError(directory, -1);
}
