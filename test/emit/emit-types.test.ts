// Type tests: `npm test` runs tsc over test/, so each `@ts-expect-error` below
// fails the build if the wrong call ever type-checks. The runtime half shows the
// same calls are rejected by validation for JavaScript callers.
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { EventData, EventName } from '../../src/event/catalog.js';
import type { FromSchema } from '../../src/event/from-schema.js';
import { createAuditLogger } from '../../src/emit/logger.js';
import { catalog } from './fixtures/catalog.js';

describe('types inferred from the catalog', () => {
  it('infers event names and data types', () => {
    expectTypeOf<EventName<typeof catalog>>().toEqualTypeOf<'repo.fork' | 'auth.login' | 'settings.update'>();
    type ForkData = EventData<typeof catalog, 'repo.fork'>;
    expectTypeOf<ForkData['repo']['id']>().toEqualTypeOf<string>();
    expectTypeOf<ForkData['repo']['visibility']>().toEqualTypeOf<'public' | 'private' | undefined>();
    expectTypeOf<ForkData['forks']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<FromSchema<{ type: ['integer', 'null'] }>>().toEqualTypeOf<number | null>();
    expectTypeOf<FromSchema<{ type: 'array'; items: { type: 'string' } }>>().toEqualTypeOf<string[]>();
  });

  it('rejects wrong data at compile time and at run time', async () => {
    const audit = createAuditLogger({ catalog, exporter: new InMemoryLogRecordExporter() });
    audit.emit('repo.fork', { actor: { id: 'u' }, data: { repo: { id: 'r', visibility: 'public' }, forks: 2 } });
    audit.emit('settings.update', { data: { anything: { goes: true } } });
    audit.emit('auth.login', {});

    // @ts-expect-error an event name that is not in the catalog
    expect(() => audit.emit('repo.frok', {})).toThrow(/not an event of the catalog/);
    // @ts-expect-error data is required: the schema requires repo
    expect(() => audit.emit('repo.fork', {})).toThrow(/data\.repo is required/);
    // @ts-expect-error repo.id must be a string
    expect(() => audit.emit('repo.fork', { data: { repo: { id: 42 } } })).toThrow(/data\.repo\.id must be string/);
    // @ts-expect-error visibility is an enum
    expect(() => audit.emit('repo.fork', { data: { repo: { id: 'r', visibility: 'internal' } } })).toThrow(/must be one of/);
    // @ts-expect-error additionalProperties: false forbids unknown keys
    expect(() => audit.emit('repo.fork', { data: { repo: { id: 'r' }, stars: 1 } })).toThrow(/data\.stars is not allowed/);
    // @ts-expect-error outcome is a closed set
    expect(() => audit.emit('auth.login', { outcome: 'ok' })).toThrow(/outcome must be one of/);
    await audit.shutdown();
  });
});
