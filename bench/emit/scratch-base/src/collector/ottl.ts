// OTTL conditions for the filter processor (legacy `logs.log_record` form,
// the one collector 0.139 has; a condition that is true DROPS the record) and
// for the routing connector (true routes the record).
import { escapeRegex } from './contract.js';

/** An OTTL string literal. */
export function ottlString(text: string): string {
  return JSON.stringify(text);
}

function attr(name: string): string {
  return `attributes[${ottlString(name)}]`;
}

/** A glob on event names as an anchored regex: `*` any run of characters, `?` one. */
export function globToRegex(glob: string): string {
  return glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegex(c))).join('');
}

/** True for records whose attribute is not `value` (or is absent). */
export function notEquals(attribute: string, value: string): string {
  return `${attr(attribute)} != ${ottlString(value)}`;
}

/** Drops records whose attribute is not `value`. */
export function dropUnlessEquals(attribute: string, value: string): string {
  return notEquals(attribute, value);
}

/** Drops records whose attribute matches none of the globs (or is absent). */
export function dropUnlessGlob(attribute: string, globs: readonly string[]): string {
  const regex = `^(?:${globs.map(globToRegex).join('|')})$`;
  return `${attr(attribute)} == nil or not IsMatch(${attr(attribute)}, ${ottlString(regex)})`;
}

/** Drops records whose attribute is none of the values (or is absent). */
export function dropUnlessOneOf(attribute: string, values: readonly string[]): string {
  return `${attr(attribute)} == nil or not (${values.map((v) => `${attr(attribute)} == ${ottlString(v)}`).join(' or ')})`;
}
