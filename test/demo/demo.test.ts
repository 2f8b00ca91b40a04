// The demo end to end: the real collector, the local Splunk HEC receiver, the
// emitter and the Sigma pack, through the library function and the built CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { defaultDayPath, formatReport, loadDay, runDemo, ScenarioError, scriptDay, type DemoReport } from '../../src/demo/index.js';
import { packageRoot } from '../../src/package-root.js';

const quiet = () => {};

function builtCli(): string {
  const cli = join(packageRoot(), 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
  return cli;
}

const scratch = mkdtempSync(join(tmpdir(), 'otel-audit-demo-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let edits = 0;

/** A copy of the day file changed by `edit`, in a scratch folder. */
function editedDay(edit: (day: Record<string, unknown>) => void): string {
  const day = parse(readFileSync(defaultDayPath(), 'utf8')) as Record<string, unknown>;
  edit(day);
  const file = join(scratch, `day-${++edits}.yaml`);
  writeFileSync(file, stringify(day));
  return file;
}

describe('otel-audit demo', () => {
  let report: DemoReport;

  it('delivers every event to the file and to Splunk HEC, and finds every expected detection', async () => {
    report = await runDemo({ log: quiet });
    const day = loadDay();
    expect(report.sent).toBe(scriptDay(day).length);
    expect(report.lost).toEqual({ file: [], hec: [] });
    expect(report.received).toEqual({ file: report.sent, hec: report.sent });
    // What each destination received verifies with the public key alone: every record chained, every digest signed.
    expect(report.integrity).toEqual({ file: { exitCode: 0, records: report.sent, digests: Math.ceil(report.sent / 100) }, hec: { exitCode: 0, records: report.sent, digests: Math.ceil(report.sent / 100) } });
    expect(report.expected.length).toBe(day.scenarios.flatMap((s) => s.expect).length);
    expect(report.expected.filter((e) => !e.found)).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.ok).toBe(true);
    // The scratch folder is removed unless --keep.
    expect(existsSync(report.paths.scratchDir)).toBe(false);
  });

  it('names the events of the attack behind each detection, never routine ones', () => {
    const events = scriptDay(loadDay());
    const partOf = new Map(events.map((e) => [e.event.id, e.part]));
    for (const d of report.detections) {
      expect(d.eventIds.length).toBeGreaterThan(0);
      expect(d.inHec).toBe(true);
      for (const id of d.eventIds) expect(partOf.get(id), `${d.title}: ${id}`).not.toBe('routine');
    }
    const burst = report.detections.find((d) => d.title === 'Burst Of Failed Logins For One User')!;
    expect(burst.kind).toBe('correlation');
    expect(burst.eventIds.length).toBeGreaterThanOrEqual(10);
    expect(burst.parts).toEqual(['brute-force']);
  });

  it('prints what the README shows', () => {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const sample = /The report looks like this:\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(sample, 'README.md has the demo output sample').toBeDefined();
    // The README shows the demo's folder under /tmp; tests run with their own TMPDIR.
    const normalize = (text: string) => text.replaceAll(`${packageRoot()}/`, '').replaceAll(`${tmpdir()}/`, '/tmp/').replace(/otel-audit-demo-\w+/g, 'otel-audit-demo-XXXXXX').replace(/OK in [\d.]+s/, 'OK in …s');
    const printed = new Set(normalize(formatReport(report)).split('\n'));
    const shown = normalize(sample!).split('\n').filter((line) => line.trim() !== '…' && line !== '');
    expect(shown.filter((line) => !printed.has(line))).toEqual([]);
  });

  it('scripts the same day every time (fixed seed, times and ids)', () => {
    expect(scriptDay(loadDay())).toEqual(scriptDay(loadDay()));
    const times = scriptDay(loadDay()).map((e) => e.event.time);
    expect(times).toEqual([...times].sort());
  });

  it('runs from the built CLI with --json and --keep, and leaves the delivered files', () => {
    const result = spawnSync(process.execPath, [builtCli(), 'demo', '--json', '--keep'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    const cliReport = JSON.parse(result.stdout) as DemoReport;
    expect(cliReport.ok).toBe(true);
    expect(cliReport.sent).toBe(report.sent);
    expect(cliReport.detections.map((d) => [d.title, d.eventIds])).toEqual(report.detections.map((d) => [d.title, d.eventIds]));
    for (const file of [cliReport.paths.renderedConfig, cliReport.paths.fileOutput, cliReport.paths.hecOutput, cliReport.paths.collectorLog]) expect(existsSync(file), file).toBe(true);
    expect(readFileSync(cliReport.paths.renderedConfig, 'utf8')).toContain('splunk_hec/splunk');
    expect(result.stderr).toContain(cliReport.paths.scratchDir);
    rmSync(cliReport.paths.scratchDir, { recursive: true, force: true });
  });

  it('fails (exit 1) and says which expected detection is missing', () => {
    // Only three failed logins: too few for the burst rule.
    const day = editedDay((d) => {
      const bruteForce = (d.scenarios as { name: string; steps: { repeat?: number }[] }[]).filter((s) => s.name === 'brute-force');
      bruteForce[0]!.steps[0]!.repeat = 3;
      d.scenarios = bruteForce;
      (d.routine as { count: number }).count = 10;
    });
    const result = spawnSync(process.execPath, [builtCli(), 'demo', '--day', day], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('MISSING: "Burst Of Failed Logins For One User" for scenario brute-force');
    expect(result.stdout).toContain('Lost:        file 0, Splunk HEC 0');
  });

  it('rejects a day file with a clear error naming the file and the field path', async () => {
    const unknownActor = editedDay((d) => {
      (d.scenarios as { steps: { actor: string }[] }[])[0]!.steps[0]!.actor = 'nobody';
    });
    await expect(runDemo({ dayFile: unknownActor, log: quiet })).rejects.toThrow(ScenarioError);
    await expect(runDemo({ dayFile: unknownActor, log: quiet })).rejects.toThrow(`${unknownActor}: scenarios[0].steps[0].actor: "nobody" is not a key of people`);
    const unknownRule = editedDay((d) => {
      (d.scenarios as { expect: string[] }[])[1]!.expect.push('No Such Rule');
    });
    await expect(runDemo({ dayFile: unknownRule, log: quiet })).rejects.toThrow(/scenarios\[1\]\.expect\[\d+\]: "No Such Rule" is not the title of a rule/);
    const badData = editedDay((d) => {
      (d.scenarios as { steps: { data?: Record<string, unknown> }[] }[])[3]!.steps[0]!.data = { dataset: 'boards', row_count: 'many' };
    });
    await expect(runDemo({ dayFile: badData, log: quiet })).rejects.toThrow(/scenarios \(mass-export\): event data\.export at 2026-03-10T02:31:00\.000Z does not fit the catalog .*sigma\/catalog\.yaml: .*row_count/);
  });
});
