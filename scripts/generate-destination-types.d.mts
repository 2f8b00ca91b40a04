// Types of scripts/generate-destination-types.mjs, for the test that checks its output is committed.
export const schemaPath: string;
export const generatedPath: string;
/** The text of src/collector/destination-types.ts for a destinations schema. */
export function renderDestinationTypes(schema: unknown): string;
