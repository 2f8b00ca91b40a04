// A small FromSchema: the TypeScript type of the values a JSON Schema accepts,
// for the subset catalogs use (type, properties, required, additionalProperties,
// items, enum, const). Anything else widens to `unknown` rather than guessing.

type Primitive<T> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? unknown[]
          : T extends 'object'
            ? Record<string, unknown>
            : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<S> = S extends { readonly required: readonly (infer R)[] } ? R & string : never;

type ObjectFrom<S> = S extends { readonly properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P & RequiredKeys<S>]: FromSchema<P[K]> } & {
        -readonly [K in Exclude<keyof P, RequiredKeys<S>>]?: FromSchema<P[K]>;
      }
    > &
      (S extends { readonly additionalProperties: false } ? unknown : Record<string, unknown>)
  : Record<string, unknown>;

/** The type of the values the JSON Schema `S` accepts. */
export type FromSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly type: 'object' }
      ? ObjectFrom<S>
      : S extends { readonly type: 'array'; readonly items: infer I }
        ? FromSchema<I>[]
        : S extends { readonly type: readonly (infer T)[] }
          ? T extends 'object' ? ObjectFrom<S> : T extends 'array' ? (S extends { readonly items: infer I } ? FromSchema<I>[] : unknown[]) : Primitive<T>
          : S extends { readonly type: infer T }
            ? Primitive<T>
            : unknown;
