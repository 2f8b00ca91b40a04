// The demo's scripted day (src/demo/day.yaml): loads it, checks it, and expands
// it into the events to emit, in time order, with fixed times and ids from a
// seeded generator so every run sends the same events.
import { OtelAuditError } from '../errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Actor, AuditEventFields, Target } from '../event/event.js';
import { packageRoot } from '../package-root.js';
import { seededRandom } from '../tools/seeded-random.js';

interface EventTemplate {
  name: string;
  source?: string;
  outcome?: AuditEventFields['outcome'];
  target?: Target;
  data?: Record<string, unknown>;
}

interface RoutineTemplate extends EventTemplate {
  weight: number;
  variants?: Partial<EventTemplate>[];
}

interface Step extends EventTemplate {
  at: string;
  actor: string;
  repeat?: number;
  every?: string;
}

export interface Scenario {
  name: string;
  title: string;
  steps: Step[];
  /** Titles of the rules that must match at least one event of this scenario. */
  expect: string[];
}

export interface Day {
  file: string;
  seed: number;
  date: string;
  organization: string;
  service: string;
  people: Record<string, Actor>;
  routine: { count: number; from: string; to: string; actors: string[]; templates: RoutineTemplate[] };
  scenarios: Scenario[];
}

/** One event to emit: its catalog name, the canonical fields and data, and the part of the day it belongs to. */
export interface ScriptedEvent {
  name: string;
  /** `routine` or a scenario's name. */
  part: string;
  event: AuditEventFields & { id: string; time: string; data?: Record<string, unknown> };
}

export function defaultDayPath(): string {
  return join(packageRoot(), 'src', 'demo', 'day.yaml');
}

export class ScenarioError extends OtelAuditError {
  override readonly name = 'ScenarioError';
  constructor(file: string, path: string, reason: string) {
    super('DEMO_DAY_INVALID', `${file}: ${path}: ${reason}`, { file, path });
  }
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const DURATION = /^(\d+)(ms|s|m)$/;

function secondsOfDay(text: string): number {
  const [h, m, s] = text.split(':').map(Number);
  return h! * 3600 + m! * 60 + (s ?? 0);
}

function durationMillis(text: string): number {
  const match = DURATION.exec(text)!;
  return Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[match[2]!]!;
}

/** Reads and checks the day file; every problem names the file and the path in it. */
export function loadDay(file = defaultDayPath()): Day {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ScenarioError(file, '(file)', (error as Error).message);
  }
  const fail = (path: string, reason: string): never => {
    throw new ScenarioError(file, path, reason);
  };
  if (typeof raw !== 'object' || raw === null) fail('(file)', 'must be a YAML mapping');
  const day = { ...(raw as Omit<Day, 'file'>), file };
  if (!Number.isInteger(day.seed)) fail('seed', 'must be an integer');
  if (typeof day.date !== 'string' || !/^\d{4}-\d\d-\d\d$/.test(day.date)) fail('date', 'must be a date like 2026-03-10');
  if (typeof day.organization !== 'string') fail('organization', 'must be a string');
  if (typeof day.service !== 'string') fail('service', 'must be a string');
  if (typeof day.people !== 'object' || day.people === null) fail('people', 'must map actor keys to actors');
  const person = (key: unknown, path: string) => {
    if (typeof key !== 'string' || !(key in day.people)) fail(path, `"${String(key)}" is not a key of people`);
  };
  const r = day.routine;
  if (typeof r !== 'object' || r === null) fail('routine', 'is required');
  if (!Number.isInteger(r.count) || r.count < 0) fail('routine.count', 'must be a whole number');
  for (const key of ['from', 'to'] as const) if (!TIME_OF_DAY.test(String(r[key]))) fail(`routine.${key}`, 'must be HH:MM or HH:MM:SS');
  if (!Array.isArray(r.actors) || r.actors.length === 0) fail('routine.actors', 'must list at least one actor');
  r.actors.forEach((a, i) => person(a, `routine.actors[${i}]`));
  if (!Array.isArray(r.templates) || r.templates.length === 0) fail('routine.templates', 'must list at least one template');
  r.templates.forEach((t, i) => {
    if (typeof t.name !== 'string') fail(`routine.templates[${i}].name`, 'is required');
    if (typeof t.weight !== 'number' || t.weight <= 0) fail(`routine.templates[${i}].weight`, 'must be a positive number');
  });
  if (!Array.isArray(day.scenarios)) fail('scenarios', 'must be a list');
  day.scenarios.forEach((s, i) => {
    const at = `scenarios[${i}]`;
    if (typeof s.name !== 'string' || s.name === 'routine') fail(`${at}.name`, 'must be a name other than "routine"');
    if (!Array.isArray(s.steps) || s.steps.length === 0) fail(`${at}.steps`, 'must list at least one step');
    if (!Array.isArray(s.expect)) fail(`${at}.expect`, 'must list rule titles (may be empty)');
    s.steps.forEach((step, j) => {
      const sp = `${at}.steps[${j}]`;
      if (typeof step.name !== 'string') fail(`${sp}.name`, 'is required');
      if (!TIME_OF_DAY.test(String(step.at))) fail(`${sp}.at`, 'must be HH:MM or HH:MM:SS');
      person(step.actor, `${sp}.actor`);
      if (step.repeat !== undefined && (!Number.isInteger(step.repeat) || step.repeat < 1)) fail(`${sp}.repeat`, 'must be a positive integer');
      if (step.repeat !== undefined && step.repeat > 1 && !DURATION.test(String(step.every))) fail(`${sp}.every`, 'is required with repeat, like 15s');
    });
  });
  return day;
}


/** A UUIDv7 for `ms` whose random bits come from `random`. */
function seededUuidv7(ms: number, random: () => number): string {
  const hex = (digits: number) => Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
  const time = ms.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
}

function pickWeighted<T extends { weight: number }>(items: readonly T[], random: () => number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let roll = random() * total;
  for (const item of items) {
    roll -= item.weight;
    if (roll < 0) return item;
  }
  return items[items.length - 1]!;
}

/** Every event of the day in time order (routine ones interleaved with the attacks). */
export function scriptDay(day: Day): ScriptedEvent[] {
  const random = seededRandom(day.seed);
  const midnight = Date.parse(`${day.date}T00:00:00.000Z`);
  const planned: { ms: number; part: string; actor: string; template: EventTemplate }[] = [];

  const r = day.routine;
  const from = secondsOfDay(r.from) * 1000;
  const span = secondsOfDay(r.to) * 1000 - from;
  for (let i = 0; i < r.count; i++) {
    const ms = midnight + from + Math.floor(random() * span);
    const actor = r.actors[Math.floor(random() * r.actors.length)]!;
    const { weight: _weight, variants, ...base } = pickWeighted(r.templates, random);
    const variant = variants && variants.length > 0 ? variants[Math.floor(random() * variants.length)] : undefined;
    planned.push({ ms, part: 'routine', actor, template: { ...base, ...variant } });
  }
  for (const scenario of day.scenarios) {
    for (const { at, actor, repeat, every, ...template } of scenario.steps) {
      const start = midnight + secondsOfDay(at) * 1000;
      const step = every ? durationMillis(every) : 0;
      for (let n = 0; n < (repeat ?? 1); n++) planned.push({ ms: start + n * step, part: scenario.name, actor, template });
    }
  }

  planned.sort((a, b) => a.ms - b.ms);
  return planned.map(({ ms, part, actor, template }) => ({
    name: template.name,
    part,
    event: {
      id: seededUuidv7(ms, random),
      time: new Date(ms).toISOString(),
      actor: day.people[actor],
      organization: day.organization,
      ...(template.source ? { source: template.source } : {}),
      ...(template.outcome ? { outcome: template.outcome } : {}),
      ...(template.target ? { target: template.target } : {}),
      ...(template.data ? { data: template.data } : {}),
    },
  }));
}
