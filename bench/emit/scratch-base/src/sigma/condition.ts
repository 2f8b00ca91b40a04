// The Sigma condition grammar. Precedence, least to most binding:
// or, and, not, `1 of`/`all of`, parentheses.
//   or   := and ('or' and)*
//   and  := not ('and' not)*
//   not  := 'not' not | term
//   term := '(' or ')' | ('1' | 'all') 'of' (pattern | 'them') | identifier
import { OtelAuditError } from '../errors.js';
import { compileGlob } from './values.js';

export type ConditionNode =
  | { type: 'id'; name: string }
  | { type: 'and'; items: ConditionNode[] }
  | { type: 'or'; items: ConditionNode[] }
  | { type: 'not'; item: ConditionNode }
  /** `pattern` is a name with `*` wildcards, or `them`. */
  | { type: 'of'; quantifier: 'one' | 'all'; pattern: string };

export class ConditionSyntaxError extends OtelAuditError {
  override readonly name = 'ConditionSyntaxError';
  constructor(message: string) {
    super('SIGMA_CONDITION_INVALID', message);
  }
}

function tokenize(condition: string): string[] {
  if (condition.includes('|')) {
    throw new ConditionSyntaxError('aggregation expressions (`| count() ...`) are Sigma 1.x; use a correlation rule instead');
  }
  return condition.match(/\(|\)|[^\s()]+/g) ?? [];
}

export function parseCondition(condition: string): ConditionNode {
  const tokens = tokenize(condition);
  let position = 0;
  const peek = (): string | undefined => tokens[position]?.toLowerCase();
  const next = (): string => {
    const token = tokens[position++];
    if (token === undefined) throw new ConditionSyntaxError(`unexpected end of condition "${condition}"`);
    return token;
  };

  const parseOr = (): ConditionNode => {
    const items = [parseAnd()];
    while (peek() === 'or') {
      position++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  };
  const parseAnd = (): ConditionNode => {
    const items = [parseNot()];
    while (peek() === 'and') {
      position++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  };
  const parseNot = (): ConditionNode => {
    if (peek() === 'not') {
      position++;
      return { type: 'not', item: parseNot() };
    }
    return parseTerm();
  };
  const parseTerm = (): ConditionNode => {
    const token = next();
    const lower = token.toLowerCase();
    if (token === '(') {
      const inner = parseOr();
      if (tokens[position] !== ')') throw new ConditionSyntaxError(`missing ")" in condition "${condition}"`);
      position++;
      return inner;
    }
    if (lower === '1' || lower === 'all') {
      if (peek() !== 'of') throw new ConditionSyntaxError(`"${token}" must be followed by "of" in condition "${condition}"`);
      position++;
      const target = next();
      if (target === '(' || target === ')') throw new ConditionSyntaxError(`"${token} of" needs a name pattern or "them" in condition "${condition}"`);
      return { type: 'of', quantifier: lower === 'all' ? 'all' : 'one', pattern: target.toLowerCase() === 'them' ? 'them' : target };
    }
    if (/^\d+$/.test(token) && peek() === 'of') {
      throw new ConditionSyntaxError(`"${token} of" is not Sigma: only "1 of" and "all of" exist (condition "${condition}")`);
    }
    if (['and', 'or', 'not', 'of', ')'].includes(lower)) {
      throw new ConditionSyntaxError(`unexpected "${token}" in condition "${condition}"`);
    }
    return { type: 'id', name: token };
  };

  const node = parseOr();
  if (position < tokens.length) throw new ConditionSyntaxError(`unexpected "${tokens[position]}" in condition "${condition}"`);
  return node;
}

/** The search identifiers an `of` pattern stands for; `them` leaves out names starting with `_`. */
export function expandPattern(pattern: string, names: readonly string[]): string[] {
  if (pattern === 'them') return names.filter((name) => !name.startsWith('_'));
  // A glob matcher, not a RegExp of `.*`s: `1 of a*a*a*…b` backtracked for over a minute on a long name.
  const test = compileGlob(pattern.split('*').flatMap((text, index) => (index === 0 ? [] : [{ text: '*', wildcard: true }]).concat(text ? [{ text, wildcard: false }] : [])), 'eq');
  return names.filter((name) => test(name));
}
