// The `re` modifier's regular expressions: RE2 syntax and semantics, run by
// re2js (a pure-JavaScript port of RE2), whose matching time is linear in the
// length of the text whatever the pattern. JavaScript's RegExp backtracks:
// `^(a+)+$` takes seconds on 27 characters. A pattern outside RE2's syntax
// (backreferences, lookaround, atomic groups, possessive quantifiers) is
// refused when the rule is compiled, naming the construct.
import { RE2JS } from 're2js';

/** The regex flag modifiers (`i`, `m`, `s`, as JS RegExp flags) as RE2JS flags. */
function re2Flags(flags: string): number {
  let result = 0;
  if (flags.includes('i')) result |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) result |= RE2JS.MULTILINE;
  if (flags.includes('s')) result |= RE2JS.DOTALL;
  return result;
}

/** What in `pattern` RE2 refuses, in words, when it is one of the backtracking-only constructs. */
function unsupportedConstruct(pattern: string): string | undefined {
  // Scan outside character classes and escapes, so `[(?=]` and `\(?=` are not taken for lookahead.
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\\${next})`;
      if (!inClass && next === 'k' && pattern[i + 2] === '<') return 'a named backreference (\\k<…>)';
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      continue;
    }
    if (char === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++; // a leading ] is literal
      continue;
    }
    if (char === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith('=')) return 'a lookahead (?=…)';
      if (rest.startsWith('!')) return 'a negative lookahead (?!…)';
      if (rest === '<=') return 'a lookbehind (?<=…)';
      if (rest === '<!') return 'a negative lookbehind (?<!…)';
      if (rest.startsWith('>')) return 'an atomic group (?>…)';
      if (rest.startsWith('(')) return 'a conditional (?(…)…)';
      if (rest === 'P=') return 'a named backreference (?P=…)';
      if (/^[R0-9+&]/.test(rest)) return 'a recursion or subroutine call';
    }
    if ((char === '+' || char === '*' || char === '?' || char === '}') && pattern[i + 1] === '+') return `a possessive quantifier (${char}+)`;
  }
  return undefined;
}

/**
 * Compiles a `re` value with the regex flag modifiers (JS flag letters i, m,
 * s) into a test on strings, in linear time. Throws an Error whose message
 * says why when the pattern is not a valid RE2 regular expression.
 */
export function compileRegex(pattern: string, flags: string): (text: string) => boolean {
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern, re2Flags(flags));
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    const construct = unsupportedConstruct(pattern);
    if (construct) {
      throw new Error(`invalid regular expression: ${construct} is not supported; "re" takes RE2 syntax, matched in linear time, which has no backreferences, lookaround, atomic groups or possessive quantifiers (RE2: ${reason})`, { cause: error });
    }
    throw new Error(`invalid regular expression (RE2 syntax): ${reason}`, { cause: error });
  }
  return (text) => regex.test(text);
}
