// What a receiver answered, made safe to print on one line: its body may hold
// terminal escape sequences (ESC, OSC 52 clipboard writes) or line breaks that
// would forge extra lines in `deliveries list`.

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

const escape = (c: string): string => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `text` with every control character written as an escape (`\n`, `\u001b`), so it stays one line. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, escape);
}

/** `text` with control characters escaped, except line feeds and tabs (a multi-line body stays readable). */
export function printableText(text: string): string {
  return text.replace(CONTROL_BUT_LINES, escape);
}
