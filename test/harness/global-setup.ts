// Every temporary file of a test run (collector work dirs, spools, sigma
// scratch files, the child processes' own temp files) goes under one folder,
// removed when the run ends, so repeated runs do not fill the machine's /tmp.
// OTEL_AUDIT_KEEP_TEMP=1 keeps it for a post-mortem (its path is printed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'otel-audit-test-run-'));
  // os.tmpdir() reads TMPDIR on every call; workers and the processes they start inherit it.
  process.env.TMPDIR = root;
  return () => {
    if (process.env.OTEL_AUDIT_KEEP_TEMP === '1') console.log(`test temp files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
