// Throughput of the collector with a rendered config (memory_limiter, domain
// filter, redaction for records without the emitter's mark, file
// exporter) against the same collector binary with a minimal OTLP → file
// config, in one run. Target (issue 16): rendered/minimal ≥ 0.95 by collector CPU per event.
// Two builds side by side: the project's (collector/builder-config.yaml, contrib
// 0.139, what the tests run) and the same components at a newer release
// (bench/collector/builder-config.yaml, contrib 0.148), built on first use.
//   npm run bench:collector   (steps.ts measures the rendered steps one by one)
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';
import { provisionCollector } from '../../src/tools/collector-build.js';
import { minimalFileConfig } from '../../test/harness/collector.js';
import { writeBenchmarkSection } from '../report.js';
import { CONCURRENCY, EVENTS, PER_REQUEST, renderedConfig, requestBodies, runCollector, type Result } from './workload.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const NEWER = 'contrib 0.148';
const KINDS = ['minimal', 'rendered', 'rendered, trustEmitter: false', `minimal, ${NEWER}`, `rendered, ${NEWER}`] as const;
type Kind = (typeof KINDS)[number];

const newerBinary = await provisionCollector({ manifest: join(packageRoot(), 'bench', 'collector', 'builder-config.yaml') });

function run(kind: Kind, bodies: string[]): Promise<Result> {
  const binary = kind.endsWith(NEWER) ? newerBinary : undefined;
  const trustEmitter = kind !== 'rendered, trustEmitter: false';
  return runCollector((ports, workDir, output) => (kind.startsWith('minimal') ? minimalFileConfig(ports, output) : renderedConfig(ports, workDir, output, trustEmitter)), bodies, binary);
}

const bodies = requestBodies();
const results = Object.fromEntries(KINDS.map((kind) => [kind, [] as Result[]])) as Record<Kind, Result[]>;
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of KINDS) {
    const result = await run(kind, bodies);
    results[kind].push(result);
    console.log(`round ${round + 1} ${kind}: ${Math.round(result.eventsPerSecond)} events/s (${result.seconds.toFixed(2)} s, collector CPU ${result.cpuSeconds.toFixed(2)} s), RSS ${result.rssMiB.toFixed(0)} MiB, peak ${result.peakMiB.toFixed(0)} MiB`);
  }
}
/** The round with the median throughput (the machine is shared, so single rounds are noisy). */
const median = (kind: Kind) => [...results[kind]].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond)[Math.floor(results[kind].length / 2)]!;
const cpu = (kind: Kind) => results[kind].reduce((sum, r) => sum + r.cpuSeconds, 0);
/** Collector CPU per event, summed over all rounds, of a config against the minimal one on the same build: less disturbed by other load than wall time. */
const cpuRatio = (kind: Kind, minimal: Kind) => cpu(minimal) / cpu(kind);
const wallRatio = (kind: Kind, minimal: Kind) => median(kind).eventsPerSecond / median(minimal).eventsPerSecond;
/** The CPU ratio of each round on its own (the kinds run in turn within a round), as a median and range. */
const spread = (kind: Kind, minimal: Kind) => {
  const values = results[minimal].map((m, i) => m.cpuSeconds / results[kind][i]!.cpuSeconds).sort((a, b) => a - b);
  return `median ${values[Math.floor(values.length / 2)]!.toFixed(2)}, range ${values[0]!.toFixed(2)}–${values[values.length - 1]!.toFixed(2)} over ${values.length} rounds`;
};
const verdict = (ratio: number) => `target ≥ 0.95${ratio >= 0.95 ? ', met' : ', NOT met'}`;

const rendered = cpuRatio('rendered', 'minimal');
const untrusted = cpuRatio('rendered, trustEmitter: false', 'minimal');
const renderedNewer = cpuRatio(`rendered, ${NEWER}`, `minimal, ${NEWER}`);
console.log(`rendered/minimal by collector CPU per event: contrib 0.139 build ${rendered.toFixed(2)} (${spread('rendered', 'minimal')}), ${NEWER} ${renderedNewer.toFixed(2)} (${spread(`rendered, ${NEWER}`, `minimal, ${NEWER}`)}); trustEmitter: false ${untrusted.toFixed(2)}`);

const row = (name: string, r: Result) => `| ${name} | ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${r.rssMiB.toFixed(0)} | ${r.peakMiB.toFixed(0)} |`;
writeBenchmarkSection('collector', 'Collector: rendered config vs. minimal OTLP → file', 'npm run bench:collector', `
${EVENTS.toLocaleString('en-US')} audit records (OTLP/HTTP JSON, ${PER_REQUEST} per request, ${CONCURRENCY} requests in flight) into a
collector, timed until the last record is in the file exporter's output. ${ROUNDS} rounds, the configs taking turns
within each. Two builds: the project's (\`collector/builder-config.yaml\`, contrib 0.139, what \`npm test\` runs) and the
same components at contrib 0.148 (\`bench/collector/builder-config.yaml\`). *Minimal* is OTLP → file. *Rendered* is
\`otel-audit collector render\` output with one \`file\` destination and the defaults: memory_limiter → filter on
event.domain → routing on the emitter's redaction mark (records without it go through the redaction processor) → file.
The records are shaped as the emitter sends them, mark included, so the default config sends them past the redaction
pass. *trustEmitter: false* redacts every record in the collector (what the default does to records from other
senders). Rows are the median round; RSS is the collector's VmRSS after the run, peak its VmHWM; collector CPU is its
user + system time (/proc/<pid>/stat), which other load on the machine disturbs less than wall time.

| config | events/s | seconds | collector CPU s | RSS MiB | peak RSS MiB |
|---|---|---|---|---|---|
${row('minimal (contrib 0.139)', median('minimal'))}
${row('rendered (default, contrib 0.139)', median('rendered'))}
${row('rendered, collector.redaction.trustEmitter: false (contrib 0.139)', median('rendered, trustEmitter: false'))}
${row(`minimal (${NEWER})`, median(`minimal, ${NEWER}`))}
${row(`rendered (default, ${NEWER})`, median(`rendered, ${NEWER}`))}

Ratio rendered / minimal by the collector's CPU time per event over all rounds, each on its own build:
- **${NEWER}: ${renderedNewer.toFixed(2)}** (${verdict(renderedNewer)}); per round ${spread(`rendered, ${NEWER}`, `minimal, ${NEWER}`)}; by wall clock ${wallRatio(`rendered, ${NEWER}`, `minimal, ${NEWER}`).toFixed(2)}.
- **contrib 0.139, the project's build: ${rendered.toFixed(2)}** (${verdict(rendered)}); per round ${spread('rendered', 'minimal')}; by wall clock ${wallRatio('rendered', 'minimal').toFixed(2)}.
- with every record redacted in the collector (\`trustEmitter: false\`, contrib 0.139): ${untrusted.toFixed(2)}; by wall clock ${wallRatio('rendered, trustEmitter: false', 'minimal').toFixed(2)}.

The same rendered config, so the difference between the builds is the routing connector that sends marked records
past the redaction processor: up to contrib 0.140 it deep-copies every record it routes (\`groupLogs\` → \`CopyTo\`),
about 0.15 of the minimal collector's CPU; from 0.141 it moves them (\`MoveAndAppendTo\`). Memory limiter and domain
filter together cost about 0.03 (\`npx tsx bench/collector/steps.ts\` leaves the steps out one at a time;
\`OTELCOL_BIN=<binary>\` runs it on another build). So run the rendered config on contrib 0.141 or later. The project's
build stays at 0.139 because the Go module proxy it builds from serves no later release of nine of its components
(the Splunk HEC, OpenSearch, CloudWatch Logs, Azure Monitor, Sumo Logic and S3 exporters, the HEC receiver, the Sumo
Logic and Azure auth extensions). One record in ten has an already-[REDACTED] value, one in a hundred a live secret.
The redaction processor is the one expensive step: it visits every attribute and every body key (about 25 a record),
checks each key against the sensitive-name patterns and each value against the allowed [REDACTED] and the secret
value patterns; hence the default: the emitter redacts before the record leaves the service (including
catalog-marked paths the collector cannot know) and marks it; the collector redacts only what lacks the mark
(docs/contract.md). The machine is shared (2 cores), so wall-clock ratios swing between runs; the CPU ratio is steadier.
`);
