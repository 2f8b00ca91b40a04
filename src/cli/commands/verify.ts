import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, OtelAuditError } from '../../errors.js';
import { publicKeys, verifyTrail, type StreamReport, type TrailRecord } from '../../integrity/index.js';
import { readTrailFile } from '../../integrity/read.js';
import { oneLine } from '../../delivery/printable.js';
import { parseRfc3339 } from '../../event/validate.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function streamLines(s: StreamReport): string[] {
  const range = (r: { from: number; to: number }) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);
  const lines = [`stream ${s.stream}: ${s.records} records (last ${s.lastSeq}), ${s.validDigests} valid digests, ${s.duplicates} duplicates, ${s.reordered} out of order`];
  lines.push(`  intact: ${s.intact.map(range).join(', ') || 'nothing proven'}`);
  for (const g of s.gaps) lines.push(`  GAP ${range(g)}: missing (lost or deleted)${g.after ? `, after ${g.after.id ?? '?'} (${g.after.where})` : ''}${g.before ? `, before ${g.before.id ?? '?'} (${g.before.where})` : ''}`);
  for (const m of s.modified) lines.push(`  MODIFIED ${m.seq} ${m.id ?? '?'} (${m.where}): ${m.reason}`);
  for (const d of s.forgedDigests) lines.push(`  FORGED DIGEST (${d.where}): ${d.reason}`);
  for (const d of s.missingDigests) lines.push(`  MISSING DIGEST${d.to >= d.from ? ` ${range(d)}` : ''}: ${d.reason}`);
  if (s.unsignedTail) lines.push(`  unsigned tail ${range(s.unsignedTail)}: not yet covered by a digest (neither proven nor disproven)`);
  if (s.endsEarly) lines.push(`  ENDS EARLY: ${s.endsEarly}`);
  else if (s.lastDigestAt) lines.push(s.closed ? `  closed at ${s.lastDigestAt} (the emitter shut down)` : `  open: last digest signed at ${s.lastDigestAt}`);
  return lines;
}

/** A trail path must be a file (or a pipe, for `<(…)`): a folder or a missing path is named, not read. */
function checkTrailPath(file: string): void {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw new InputError(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { file });
  }
  if (stats.isDirectory()) throw new InputError(`${file} is a folder: name the trail files in it`, { file });
}

/** An ISO 8601 date and time with its zone (a time without one would be read in this machine's zone). */
function parseThrough(text: string): Date {
  // RFC 3339 as event times are read: a date that does not exist (February 30, 24:00) is refused, not rolled over.
  const time = parseRfc3339(text);
  if (!Number.isFinite(time)) throw new OtelAuditError('OPTION_INVALID', `--through ${JSON.stringify(text)} must be an ISO 8601 time with its zone, such as 2026-12-03T12:00:00Z`, { path: '--through' });
  return new Date(time);
}

/** `otel-audit verify`: checks what a destination received against the hash chain and the signed digests. */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('prove that the audit records a destination received are complete and unaltered (hash chain and signed digests)')
    .argument('<files...>', 'what a destination received: file exporter lines, OTLP JSON or protobuf, canonical JSON lines, HEC events, OpenSearch documents; gzip files too (S3 objects)')
    .requiredOption('--public-key <pem>', 'a public key that signs digests: a PEM file, file:<path> or env:<VARIABLE> (repeatable)', collect, [])
    .option('--through <time>', 'the time the trail should reach (ISO 8601, e.g. 2026-12-03T12:00:00Z): a stream whose digests stop before it without closing fails')
    .option('--json', 'print the report as JSON')
    .action((files: string[], options: { publicKey: string[]; through?: string; json?: boolean }) => {
      const through = options.through === undefined ? undefined : parseThrough(options.through);
      const keys = publicKeys(options.publicKey.map((k) => (k.startsWith('env:') || k.startsWith('file:') ? k : `file:${k}`)));
      for (const file of files) checkTrailPath(file);
      // Files are opened one after another as they are verified (JSON lines a line at a time, a gzip
      // file decompressed when its turn comes): a trail can be larger than memory holds as text.
      const unreadable: { where: string; reason: string }[] = [];
      function* records(): Generator<TrailRecord> {
        for (const file of files) {
          const read = readTrailFile(file);
          yield* read.records;
          unreadable.push(...read.unreadable);
        }
      }
      const report = verifyTrail(records(), { keys, ...(through ? { through } : {}) });
      const exitCode = unreadable.length > 0 ? 1 : report.exitCode;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ...report, unreadable, exitCode }, null, 2)}\n`);
      } else {
        const out = report.streams.flatMap(streamLines);
        for (const u of report.unchained) out.push(`UNCHAINED record ${u.id ?? '?'} (${u.where}): no integrity stamp (emitted without integrity, or inserted)`);
        for (const u of unreadable) out.push(`UNREADABLE ${u.where}: ${u.reason}`);
        const counted = `${report.streams.reduce((n, s) => n + s.records, 0)} records and ${report.streams.reduce((n, s) => n + s.validDigests, 0)} digests in ${report.streams.length} stream${report.streams.length === 1 ? '' : 's'}`;
        const empty = report.streams.length === 0 && report.unchained.length === 0 && unreadable.length === 0;
        if (empty) out.push(`FAILED: no audit record in ${files.join(', ')}: an empty trail proves nothing`);
        else out.push(exitCode === 0 ? `OK: ${counted} proven intact` : exitCode === 2 ? 'NOT YET PROVEN: nothing is missing or altered, but the tail is not signed yet' : 'FAILED: records are missing, altered or unreadable (see above)');
        // Stream ids, record ids and key ids come from the trail, which anyone who can write to the destination wrote.
        process.stdout.write(`${out.map(oneLine).join('\n')}\n`);
      }
      process.exitCode = exitCode;
    });
}
