// The demo's findings: what was sent and delivered, what the Sigma pack found
// in each delivered stream, and how that compares with the expected
// detections of the day file. Plus the short text a person reads.
import type { SigmaMatch } from '../sigma/index.js';
import type { Scenario } from './scenario.js';

export interface Detection {
  title: string;
  level: string | undefined;
  kind: 'detection' | 'correlation';
  ruleId: string | undefined;
  /** How many times the rule matched in the file stream. */
  matches: number;
  /** Ids of the matching events (for a correlation, the events of its window), in time order. */
  eventIds: string[];
  /** The parts of the day those events belong to (`routine` or scenario names). */
  parts: string[];
  /** Whether the same rule also matched in what the HEC receiver got. */
  inHec: boolean;
}

export interface ExpectedDetection {
  scenario: string;
  title: string;
  /** Matched an event of the scenario in the file output and in the HEC output. */
  found: boolean;
}

/** One part of the day: the routine activity or an attack. */
export interface DayPart {
  name: string;
  title: string;
  events: number;
}

export interface DemoReport {
  ok: boolean;
  /** The scripted day: its date, organization and parts. */
  day: { date: string; organization: string; parts: DayPart[] };
  sent: number;
  received: { file: number; hec: number };
  lost: { file: string[]; hec: string[] };
  /** Records delivered more than once (at-least-once delivery), per destination. */
  duplicates: { file: number; hec: number };
  /** `otel-audit verify` over what each destination received: 0 proven intact, 1 tampering or loss, 2 an unsigned tail. */
  integrity: { file: IntegritySummary; hec: IntegritySummary };
  detections: Detection[];
  expected: ExpectedDetection[];
  /** Detections that no scenario expects (false positives in the routine part, say). */
  unexpected: string[];
  paths: { scratchDir: string; kept: boolean; renderedConfig: string; fileOutput: string; hecOutput: string; collectorLog: string; destinations: string; day: string };
  collectorBinary: string;
  durationMillis: number;
}

export interface IntegritySummary {
  exitCode: 0 | 1 | 2;
  records: number;
  digests: number;
}

function verdict(v: IntegritySummary): string {
  return v.exitCode === 0 ? `${v.records} records intact (${v.digests} signed digests)` : v.exitCode === 2 ? `${v.records} records, tail NOT SIGNED` : 'FAILED';
}

/** Groups matches by rule, keeping event ids unique and in order. */
export function groupMatches(fileMatches: readonly SigmaMatch[], hecMatches: readonly SigmaMatch[], partOf: ReadonlyMap<string, string>): Detection[] {
  const hecTitles = new Set(hecMatches.map((m) => m.title));
  const byTitle = new Map<string, Detection>();
  for (const match of fileMatches) {
    let d = byTitle.get(match.title);
    if (!d) {
      d = { title: match.title, level: match.level, kind: match.kind, ruleId: match.ruleId, matches: 0, eventIds: [], parts: [], inHec: hecTitles.has(match.title) };
      byTitle.set(match.title, d);
    }
    d.matches++;
    for (const id of match.eventIds) if (!d.eventIds.includes(id)) d.eventIds.push(id);
  }
  for (const d of byTitle.values()) d.parts = [...new Set(d.eventIds.map((id) => partOf.get(id) ?? 'unknown'))];
  return [...byTitle.values()];
}

/** Checks each scenario's `expect` list against the detections of both streams. */
export function checkExpected(scenarios: readonly Scenario[], detections: readonly Detection[], hecMatches: readonly SigmaMatch[], partOf: ReadonlyMap<string, string>): ExpectedDetection[] {
  const hecParts = new Map<string, Set<string>>();
  for (const m of hecMatches) for (const id of m.eventIds) hecParts.set(m.title, (hecParts.get(m.title) ?? new Set()).add(partOf.get(id) ?? 'unknown'));
  return scenarios.flatMap((s) =>
    s.expect.map((title) => ({
      scenario: s.name,
      title,
      found: detections.some((d) => d.title === title && d.parts.includes(s.name)) && (hecParts.get(title)?.has(s.name) ?? false),
    })),
  );
}

const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

function shortIds(ids: readonly string[], max = 3): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown} (+${ids.length - max} more)` : shown;
}

/** The report as the few lines `otel-audit demo` prints. */
export function formatReport(report: DemoReport): string {
  const lines: string[] = [];
  const lostFile = report.lost.file.length;
  const lostHec = report.lost.hec.length;
  lines.push('', `A scripted day (${report.day.date}) at ${report.day.organization}:`);
  for (const part of report.day.parts) {
    lines.push(`  ${part.name.padEnd(22)} ${String(part.events).padStart(4)} events  ${part.title}`);
    for (const e of report.expected.filter((x) => x.scenario === part.name)) lines.push(`  ${''.padEnd(36)}${e.found ? 'caught by' : 'MISSED:  '} ${e.title}`);
  }
  lines.push('', `Events sent: ${report.sent}`);
  lines.push(`Received:    file ${report.received.file}, Splunk HEC ${report.received.hec}`);
  lines.push(`Lost:        file ${lostFile}, Splunk HEC ${lostHec}${lostFile + lostHec > 0 ? `  (first: ${shortIds([...report.lost.file, ...report.lost.hec])})` : ''}`);
  lines.push(`Verified:    file ${verdict(report.integrity.file)}, Splunk HEC ${verdict(report.integrity.hec)}`);
  if (report.duplicates.file + report.duplicates.hec > 0) lines.push(`Duplicates:  file ${report.duplicates.file}, Splunk HEC ${report.duplicates.hec} (at-least-once; dedupe on log.record.uid)`);
  lines.push('', 'Detections (the Sigma pack over the delivered records):');
  const sorted = [...report.detections].sort((a, b) => LEVEL_ORDER.indexOf(a.level ?? '') - LEVEL_ORDER.indexOf(b.level ?? '') || a.title.localeCompare(b.title));
  for (const d of sorted) {
    lines.push(`  ${(d.level ?? '?').padEnd(13)} ${d.title}${d.kind === 'correlation' ? ' (correlation)' : ''}${d.inHec ? '' : '  [not found in what Splunk HEC received]'}`);
    lines.push(`  ${''.padEnd(13)} ${d.eventIds.length} event${d.eventIds.length === 1 ? '' : 's'} of ${d.parts.join(', ')}: ${shortIds(d.eventIds)}`);
  }
  if (sorted.length === 0) lines.push('  (none)');
  const missingExpected = report.expected.filter((e) => !e.found);
  lines.push('', `Expected detections: ${report.expected.length - missingExpected.length}/${report.expected.length} found (each must match an event of its attack, in the file and in HEC)`);
  for (const e of missingExpected) lines.push(`  MISSING: "${e.title}" for scenario ${e.scenario}`);
  if (report.unexpected.length > 0) lines.push(`Not expected by any scenario: ${report.unexpected.join('; ')}`);
  lines.push('');
  const where = report.paths.kept ? '' : ' (removed; run with --keep to keep it)';
  lines.push(`Scratch folder:    ${report.paths.scratchDir}${where}`);
  lines.push(`Rendered config:   ${report.paths.renderedConfig}  (from ${report.paths.destinations})`);
  lines.push(`Delivered (file):  ${report.paths.fileOutput}`);
  lines.push(`Delivered (HEC):   ${report.paths.hecOutput}`);
  lines.push(`Collector log:     ${report.paths.collectorLog}`);
  lines.push('', report.ok ? `OK in ${(report.durationMillis / 1000).toFixed(1)}s: nothing lost or altered, every expected detection found.` : 'FAILED: ' + [lostFile + lostHec > 0 ? 'events were lost' : '', missingExpected.length > 0 ? 'expected detections are missing' : '', report.integrity.file.exitCode + report.integrity.hec.exitCode > 0 ? 'the integrity check failed' : ''].filter(Boolean).join(' and ') + '.');
  return lines.join('\n');
}
