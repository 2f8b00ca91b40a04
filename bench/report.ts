// Writes one benchmark's results into its own section of docs/benchmarks.md,
// leaving the other benchmarks' sections as they are. Each section records the
// command that produced it and the machine it ran on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';

const HEADER = '# Benchmarks\n\nRun on demand, never part of `npm test`. Each section says the command that produced it and the machine it ran on.\n';

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

/** Replaces (or appends) the section `name` with `markdown`. */
export function writeBenchmarkSection(name: string, title: string, command: string, markdown: string): void {
  const file = join(packageRoot(), 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const load = loadavg().map((l) => l.toFixed(1)).join(', ');
  const section = `${start}\n## ${title}\n\nCommand: \`${command}\`  \nMachine: ${machineDescription()}  \nLoad average (1, 5, 15 min) when written: ${load}  \nDate: ${new Date().toISOString()}\n\n${markdown.trim()}\n${end}`;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  const next = pattern.test(current) ? current.replace(pattern, () => section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
