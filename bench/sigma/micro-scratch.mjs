var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};

// src/errors.ts
var OtelAuditError, InputError;
var init_errors = __esm({
  "src/errors.ts"() {
    "use strict";
    OtelAuditError = class extends Error {
      name = "OtelAuditError";
      code;
      file;
      line;
      column;
      path;
      constructor(code, message, location = {}, options) {
        super(message, options);
        this.code = code;
        if (location.file !== void 0) this.file = location.file;
        if (location.line !== void 0) this.line = location.line;
        if (location.column !== void 0) this.column = location.column;
        if (location.path !== void 0) this.path = location.path;
      }
    };
    InputError = class extends OtelAuditError {
      name = "InputError";
      constructor(message, location = {}, options) {
        super("INPUT_INVALID", message, location, options);
      }
    };
  }
});

// src/package-root.ts
import { existsSync } from "node:fs";
import { dirname, join as join2 } from "node:path";
import { fileURLToPath } from "node:url";
function packageRoot() {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join2(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new OtelAuditError("INTERNAL", `otel-audit: cannot find the package root from ${import.meta.url}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
var cached;
var init_package_root = __esm({
  "src/package-root.ts"() {
    "use strict";
    init_errors();
  }
});

// bench/sigma/micro-scratch.ts
import { readFileSync as readFileSync3 } from "node:fs";

// src/sigma/types.ts
init_errors();
var SigmaError = class extends OtelAuditError {
  constructor(where, path, reason, position = typeof where === "string" ? void 0 : where.positionOf?.(path)) {
    const file = typeof where === "string" ? where : where.file;
    const at = position ? ` (line ${position.line}, column ${position.column})` : "";
    super("SIGMA_RULE_INVALID", `${file}${path ? ` at ${path}` : ""}: ${reason}${at}`, { file, path, line: position?.line, column: position?.column });
    this.reason = reason;
    this.file = file;
    this.path = path;
  }
  reason;
  name = "SigmaError";
  file;
  path;
};

// src/sigma/parse.ts
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";
function nodeAt(doc, path) {
  let node = doc.contents;
  let rest = path;
  while (rest !== "" && node) {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index && isSeq(node)) {
      node = node.items[Number(index[1])];
      rest = rest.slice(index[0].length);
      continue;
    }
    if (!isMap(node)) return void 0;
    let best;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : void 0;
      if (key === void 0 || !rest.startsWith(key) || !/^(\.|\[|$)/.test(rest.slice(key.length))) continue;
      if (!best || key.length > best.key.length) best = { key, value: pair.value ?? pair.key };
    }
    if (!best) return void 0;
    node = best.value;
    rest = rest.slice(best.key.length).replace(/^\./, "");
  }
  return node;
}
function parseYamlDocuments(text3, file) {
  const result = [];
  const lines = new LineCounter();
  const position = (offset) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const docs = parseAllDocuments(text3, { prettyErrors: true, lineCounter: lines });
  (Array.isArray(docs) ? docs : []).forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) throw new SigmaError(file, `document ${index}`, `YAML error: ${error.message}`, position(error.pos[0]));
    let value;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (cause) {
      throw new SigmaError(file, `document ${index}`, `YAML error: ${cause.message}`);
    }
    if (value === null || value === void 0) return;
    const positionOf = (path) => {
      const range = nodeAt(doc, path)?.range;
      return range ? position(range[0]) : void 0;
    };
    result.push({ file, document: index, value, positionOf });
  });
  return result;
}
function classifyDocument(raw) {
  const source = { file: raw.file, document: raw.document, positionOf: raw.positionOf };
  const value = raw.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SigmaError(raw.file, `document ${raw.document}`, "a Sigma document must be a YAML mapping");
  }
  if ("correlation" in value) return { kind: "correlation", source, rule: value };
  if ("filter" in value) return { kind: "filter", source, rule: value };
  if ("detection" in value) return { kind: "rule", source, rule: value };
  throw new SigmaError(raw.file, `document ${raw.document}`, "not a Sigma document: it has no `detection`, `correlation` or `filter` key");
}
function parseSigmaText(text3, file = "<text>") {
  return parseYamlDocuments(text3, file).map(classifyDocument);
}
function parseSigmaFile(file) {
  return parseSigmaText(readFileSync(file, "utf8"), file);
}
function listYamlFiles(paths) {
  const files = [];
  const visit = (path) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
    } else if (/\.ya?ml$/.test(path)) {
      files.push(path);
    }
  };
  for (const path of paths) visit(path);
  return files;
}
function loadSigmaDocuments(paths) {
  return listYamlFiles(paths).flatMap(parseSigmaFile);
}

// src/sigma/condition.ts
init_errors();

// src/sigma/values.ts
function asString(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return void 0;
}
function lowerCase(text3) {
  for (let i = 0; i < text3.length; i++) {
    const code = text3.charCodeAt(i);
    if (code > 127 || code >= 65 && code <= 90) return text3.toLowerCase();
  }
  return text3;
}
function parseSigmaString(value) {
  const tokens = [];
  let literal = "";
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === "\\" && (value[i + 1] === "*" || value[i + 1] === "?" || value[i + 1] === "\\")) {
      literal += value[++i];
    } else if (char === "*" || char === "?") {
      if (literal) tokens.push({ text: literal, wildcard: false });
      literal = "";
      tokens.push({ text: char, wildcard: true });
    } else {
      literal += char;
    }
  }
  if (literal) tokens.push({ text: literal, wildcard: false });
  return tokens;
}
function globSegment(tokens) {
  let text3 = "";
  const anyAt = [];
  for (const token of tokens) {
    if (token.wildcard) anyAt.push(text3.length);
    text3 += token.wildcard ? "?" : token.text;
  }
  let any;
  let run2 = text3;
  let runOffset = 0;
  if (anyAt.length > 0) {
    any = new Uint8Array(text3.length);
    for (const at of anyAt) any[at] = 1;
    run2 = "";
    for (let start = 0; start < text3.length; ) {
      if (any[start]) {
        start++;
        continue;
      }
      let end = start;
      while (end < text3.length && !any[end]) end++;
      if (end - start > run2.length) {
        run2 = text3.slice(start, end);
        runOffset = start;
      }
      start = end;
    }
  }
  return { text: text3, any, run: run2, runOffset };
}
function segmentAt(segment, s, at) {
  const { text: text3, any } = segment;
  if (any === void 0) return s.startsWith(text3, at);
  for (let i = 0; i < text3.length; i++) {
    if (any[i] === 0 && s.charCodeAt(at + i) !== text3.charCodeAt(i)) return false;
  }
  return true;
}
function findSegment(segment, s, from, limit) {
  const { text: text3, run: run2, runOffset } = segment;
  const last = limit - text3.length;
  if (last < from) return -1;
  if (run2 === "") return from;
  for (let found = s.indexOf(run2, from + runOffset); found !== -1; found = s.indexOf(run2, found + 1)) {
    const at = found - runOffset;
    if (at > last) return -1;
    if (segment.any === void 0 || segmentAt(segment, s, at)) return at;
  }
  return -1;
}
function compileGlob(tokens, mode) {
  const segments = [];
  let current = [];
  let anchoredStart = mode === "eq" || mode === "startswith";
  let anchoredEnd = mode === "eq" || mode === "endswith";
  tokens.forEach((token, index) => {
    if (token.wildcard && token.text === "*") {
      if (index === 0) anchoredStart = false;
      if (index === tokens.length - 1) anchoredEnd = false;
      if (current.length > 0) segments.push(globSegment(current));
      current = [];
    } else {
      current.push(token);
    }
  });
  if (current.length > 0) segments.push(globSegment(current));
  if (segments.length === 0) return () => true;
  const first = segments[0];
  if (segments.length === 1 && anchoredStart && anchoredEnd) {
    return (s) => s.length === first.text.length && segmentAt(first, s, 0);
  }
  const lastSegment = segments[segments.length - 1];
  const middleFrom = anchoredStart ? 1 : 0;
  const middleTo = anchoredEnd ? segments.length - 1 : segments.length;
  return (s) => {
    let start = 0;
    let end = s.length;
    if (anchoredStart) {
      if (first.text.length > end || !segmentAt(first, s, 0)) return false;
      start = first.text.length;
    }
    if (anchoredEnd) {
      const at = end - lastSegment.text.length;
      if (at < start || !segmentAt(lastSegment, s, at)) return false;
      end = at;
    }
    for (let i = middleFrom; i < middleTo; i++) {
      const segment = segments[i];
      const at = findSegment(segment, s, start, end);
      if (at < 0) return false;
      start = at + segment.text.length;
    }
    return true;
  };
}
function stringPredicate(value, mode, cased, literal = false) {
  const tokens = literal ? [{ text: value, wildcard: false }] : parseSigmaString(value);
  if (!tokens.some((token) => token.wildcard)) {
    const text3 = tokens.map((token) => token.text).join("");
    const expected = cased ? text3 : text3.toLowerCase();
    if (mode === "eq" && !cased && !/[^\x20-\x7e]/.test(expected)) {
      return (v) => {
        const s = asString(v);
        return s !== void 0 && s.length === expected.length && (s === expected || lowerCase(s) === expected);
      };
    }
    const compare = {
      eq: (s) => s === expected,
      contains: (s) => s.includes(expected),
      startswith: (s) => s.startsWith(expected),
      endswith: (s) => s.endsWith(expected)
    }[mode];
    return (v) => {
      const s = asString(v);
      return s !== void 0 && compare(cased ? s : lowerCase(s));
    };
  }
  const glob = compileGlob(cased ? tokens : parseSigmaString(value.toLowerCase()), mode);
  return (v) => {
    const s = asString(v);
    return s !== void 0 && glob(cased ? s : lowerCase(s));
  };
}
function numberPredicate(operator, limit) {
  const test = { lt: (n) => n < limit, lte: (n) => n <= limit, gt: (n) => n > limit, gte: (n) => n >= limit }[operator];
  return (v) => {
    if (typeof v === "number") return test(v);
    if (typeof v === "string" && v.trim() !== "") {
      const n = Number(v);
      return Number.isFinite(n) && test(n);
    }
    return false;
  };
}
function parseIpv4(text3) {
  const parts = text3.split(".");
  if (parts.length !== 4) return void 0;
  let result = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return void 0;
    result = result << 8n | BigInt(part);
  }
  return result;
}
function parseIpv6(text3) {
  if (text3.length > 100) return void 0;
  let address = text3;
  const zone = address.indexOf("%");
  if (zone >= 0) address = address.slice(0, zone);
  const v4 = /(?:^|[^\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(address);
  if (v4) {
    const tail2 = parseIpv4(v4[1]);
    if (tail2 === void 0) return void 0;
    address = address.slice(0, -v4[1].length) + (tail2 >> 16n & 0xffffn).toString(16) + ":" + (tail2 & 0xffffn).toString(16);
  }
  const halves = address.split("::");
  if (halves.length > 2) return void 0;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 && missing !== 0 || missing < 0) return void 0;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let result = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return void 0;
    result = result << 16n | BigInt(parseInt(group, 16));
  }
  return result;
}
function cidrPredicate(cidr) {
  const [address = "", prefixText] = cidr.split("/");
  const isV6 = address.includes(":");
  const bits = isV6 ? 128 : 32;
  const base = isV6 ? parseIpv6(address) : parseIpv4(address);
  const prefix = prefixText === void 0 ? bits : Number(prefixText);
  if (base === void 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new Error(`"${cidr}" is not a CIDR network`);
  const shift = BigInt(bits - prefix);
  const network = base >> shift;
  return (v) => {
    const s = asString(v);
    if (s === void 0) return false;
    const ip = isV6 ? s.includes(":") ? parseIpv6(s) : void 0 : parseIpv4(s);
    return ip !== void 0 && ip >> shift === network;
  };
}
function base64(text3) {
  return Buffer.from(text3).toString("base64");
}
function base64Offsets(text3) {
  const startOffsets = [0, 2, 3];
  const endOffsets = [0, -3, -2];
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset, " "), text3]).toString("base64");
    const end = endOffsets[(offset + text3.length) % 3];
    return encoded.slice(startOffsets[offset], end === 0 ? void 0 : end);
  });
}
function utf16(text3, encoding) {
  const le = Buffer.from(text3, "utf16le");
  if (encoding === "le") return le;
  if (encoding === "bom") return Buffer.concat([Buffer.from([255, 254]), le]);
  const be = Buffer.from(le);
  be.swap16();
  return be;
}
var DASHES = ["-", "/", "\u2013", "\u2014", "\u2015"];
var MAX_VARIANTS = 4096;
function windashVariants(text3) {
  let options = 0;
  for (let i = 0; i < text3.length; i++) if ((text3[i] === "-" || text3[i] === "/") && (i === 0 || /\s/.test(text3[i - 1]))) options++;
  if (DASHES.length ** options > MAX_VARIANTS) throw new Error(`"windash" would make ${DASHES.length}^${options} variants of this value (at most ${MAX_VARIANTS}): split it into several values`);
  let variants = [""];
  for (let i = 0; i < text3.length; i++) {
    const char = text3[i];
    const optionStart = (char === "-" || char === "/") && (i === 0 || /\s/.test(text3[i - 1]));
    variants = optionStart ? variants.flatMap((v) => DASHES.map((d) => v + d)) : variants.map((v) => v + char);
  }
  return variants;
}
function isoWeek(date) {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.ceil(((d.getTime() - yearStart) / 864e5 + 1) / 7);
}
function timePart(value, part) {
  let millis;
  if (typeof value === "number") millis = value;
  else if (typeof value === "string" && /^\d{16,}$/.test(value)) millis = Number(BigInt(value) / 1000000n);
  else if (typeof value === "string") millis = Date.parse(value);
  if (millis === void 0 || Number.isNaN(millis)) return void 0;
  const date = new Date(millis);
  switch (part) {
    case "minute":
      return date.getUTCMinutes();
    case "hour":
      return date.getUTCHours();
    case "day":
      return date.getUTCDate();
    case "week":
      return isoWeek(date);
    case "month":
      return date.getUTCMonth() + 1;
    case "year":
      return date.getUTCFullYear();
  }
}

// src/sigma/condition.ts
var ConditionSyntaxError = class extends OtelAuditError {
  name = "ConditionSyntaxError";
  constructor(message) {
    super("SIGMA_CONDITION_INVALID", message);
  }
};
function tokenize(condition) {
  if (condition.includes("|")) {
    throw new ConditionSyntaxError("aggregation expressions (`| count() ...`) are Sigma 1.x; use a correlation rule instead");
  }
  return condition.match(/\(|\)|[^\s()]+/g) ?? [];
}
function parseCondition(condition) {
  const tokens = tokenize(condition);
  let position = 0;
  const peek = () => tokens[position]?.toLowerCase();
  const next = () => {
    const token = tokens[position++];
    if (token === void 0) throw new ConditionSyntaxError(`unexpected end of condition "${condition}"`);
    return token;
  };
  const parseOr = () => {
    const items = [parseAnd()];
    while (peek() === "or") {
      position++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : { type: "or", items };
  };
  const parseAnd = () => {
    const items = [parseNot()];
    while (peek() === "and") {
      position++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0] : { type: "and", items };
  };
  const parseNot = () => {
    if (peek() === "not") {
      position++;
      return { type: "not", item: parseNot() };
    }
    return parseTerm();
  };
  const parseTerm = () => {
    const token = next();
    const lower = token.toLowerCase();
    if (token === "(") {
      const inner = parseOr();
      if (tokens[position] !== ")") throw new ConditionSyntaxError(`missing ")" in condition "${condition}"`);
      position++;
      return inner;
    }
    if (lower === "1" || lower === "all") {
      if (peek() !== "of") throw new ConditionSyntaxError(`"${token}" must be followed by "of" in condition "${condition}"`);
      position++;
      const target = next();
      if (target === "(" || target === ")") throw new ConditionSyntaxError(`"${token} of" needs a name pattern or "them" in condition "${condition}"`);
      return { type: "of", quantifier: lower === "all" ? "all" : "one", pattern: target.toLowerCase() === "them" ? "them" : target };
    }
    if (/^\d+$/.test(token) && peek() === "of") {
      throw new ConditionSyntaxError(`"${token} of" is not Sigma: only "1 of" and "all of" exist (condition "${condition}")`);
    }
    if (["and", "or", "not", "of", ")"].includes(lower)) {
      throw new ConditionSyntaxError(`unexpected "${token}" in condition "${condition}"`);
    }
    return { type: "id", name: token };
  };
  const node = parseOr();
  if (position < tokens.length) throw new ConditionSyntaxError(`unexpected "${tokens[position]}" in condition "${condition}"`);
  return node;
}
function expandPattern(pattern, names) {
  if (pattern === "them") return names.filter((name) => !name.startsWith("_"));
  const test = compileGlob(pattern.split("*").flatMap((text3, index) => (index === 0 ? [] : [{ text: "*", wildcard: true }]).concat(text3 ? [{ text: text3, wildcard: false }] : [])), "eq");
  return names.filter((name) => test(name));
}

// src/sigma/detection.ts
init_errors();

// src/sigma/events.ts
import { isSeq as isSeq2, LineCounter as LineCounter2, parseAllDocuments as parseAllDocuments2 } from "yaml";

// src/event/otlp-json.ts
init_errors();
function decodeAnyValue(value) {
  if (value === void 0 || value === null) return null;
  if (value.stringValue !== void 0) return value.stringValue;
  if (value.boolValue !== void 0) return value.boolValue;
  if (value.intValue !== void 0) {
    const asNumber = Number(value.intValue);
    return Number.isSafeInteger(asNumber) ? asNumber : String(value.intValue);
  }
  if (value.doubleValue !== void 0) return Number(value.doubleValue);
  if (value.bytesValue !== void 0) return value.bytesValue;
  if (value.arrayValue !== void 0) return (value.arrayValue.values ?? []).map(decodeAnyValue);
  if (value.kvlistValue !== void 0) return decodeKeyValues(value.kvlistValue.values);
  return null;
}
function decodeKeyValues(values) {
  const result = {};
  for (const { key, value } of values ?? []) result[key] = decodeAnyValue(value);
  return result;
}
function decodeLogsRequest(request) {
  const records = [];
  for (const resourceLogs2 of request.resourceLogs ?? []) {
    const resource = decodeKeyValues(resourceLogs2.resource?.attributes);
    for (const scopeLogs2 of resourceLogs2.scopeLogs ?? []) {
      const scope = { name: scopeLogs2.scope?.name, version: scopeLogs2.scope?.version };
      for (const record of scopeLogs2.logRecords ?? []) {
        records.push({
          timeUnixNano: record.timeUnixNano,
          observedTimeUnixNano: record.observedTimeUnixNano,
          severityNumber: record.severityNumber,
          severityText: record.severityText,
          eventName: record.eventName,
          body: decodeAnyValue(record.body),
          attributes: decodeKeyValues(record.attributes),
          resource,
          scope,
          traceId: record.traceId,
          spanId: record.spanId
        });
      }
    }
  }
  return records;
}

// src/event/otlp-proto.ts
init_errors();
var Reader = class {
  constructor(bytes, end = bytes.length) {
    this.bytes = bytes;
    this.end = end;
  }
  bytes;
  end;
  at = 0;
  get done() {
    return this.at >= this.end;
  }
  varint() {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.at >= this.end) throw new InputError("truncated protobuf varint");
      const byte = this.bytes[this.at++];
      result |= BigInt(byte & 127) << shift;
      if ((byte & 128) === 0) return result;
    }
    throw new InputError("protobuf varint longer than 10 bytes");
  }
  fixed(size) {
    if (this.at + size > this.end) throw new InputError("truncated protobuf fixed field");
    const slice = this.bytes.subarray(this.at, this.at + size);
    this.at += size;
    return slice;
  }
  /** A length-delimited field's bytes. */
  bytesField() {
    const length = Number(this.varint());
    if (this.at + length > this.end) throw new InputError("protobuf length runs past the end of the message");
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }
  skip(wireType) {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.fixed(8);
    else if (wireType === 2) this.bytesField();
    else if (wireType === 5) this.fixed(4);
    else throw new InputError(`unsupported protobuf wire type ${wireType}`);
  }
  /** Calls `field` for each field of the message; it returns false for fields it does not read. */
  fields(field) {
    while (!this.done) {
      const key = Number(this.varint());
      const number = key >>> 3;
      const wireType = key & 7;
      if (!field(number, wireType)) this.skip(wireType);
    }
  }
};
var text = new TextDecoder("utf-8", { fatal: false });
var hex = (bytes) => Buffer.from(bytes).toString("hex");
var u64 = (bytes) => Buffer.from(bytes).readBigUInt64LE(0).toString();
function anyValue(bytes, depth) {
  if (depth > 64) throw new InputError("protobuf AnyValue nested deeper than 64 levels");
  const r = new Reader(bytes);
  const value = {};
  r.fields((n, w) => {
    if (n === 1 && w === 2) value.stringValue = text.decode(r.bytesField());
    else if (n === 2 && w === 0) value.boolValue = r.varint() !== 0n;
    else if (n === 3 && w === 0) value.intValue = BigInt.asIntN(64, r.varint()).toString();
    else if (n === 4 && w === 1) value.doubleValue = Buffer.from(r.fixed(8)).readDoubleLE(0);
    else if (n === 5 && w === 2) value.arrayValue = { values: repeated(r.bytesField(), 1, (b) => anyValue(b, depth + 1)) };
    else if (n === 6 && w === 2) value.kvlistValue = { values: repeated(r.bytesField(), 1, (b) => keyValue(b, depth + 1)) };
    else if (n === 7 && w === 2) value.bytesValue = Buffer.from(r.bytesField()).toString("base64");
    else return false;
    return true;
  });
  return value;
}
function repeated(bytes, number, decode2) {
  const r = new Reader(bytes);
  const out2 = [];
  r.fields((n, w) => {
    if (n !== number || w !== 2) return false;
    out2.push(decode2(r.bytesField()));
    return true;
  });
  return out2;
}
function keyValue(bytes, depth = 0) {
  const r = new Reader(bytes);
  const kv = { key: "" };
  r.fields((n, w) => {
    if (n === 1 && w === 2) kv.key = text.decode(r.bytesField());
    else if (n === 2 && w === 2) kv.value = anyValue(r.bytesField(), depth);
    else return false;
    return true;
  });
  return kv;
}
function logRecord(bytes) {
  const r = new Reader(bytes);
  const record = { attributes: [] };
  r.fields((n, w) => {
    if (n === 1 && w === 1) record.timeUnixNano = u64(r.fixed(8));
    else if (n === 11 && w === 1) record.observedTimeUnixNano = u64(r.fixed(8));
    else if (n === 2 && w === 0) record.severityNumber = Number(r.varint());
    else if (n === 3 && w === 2) record.severityText = text.decode(r.bytesField());
    else if (n === 5 && w === 2) record.body = anyValue(r.bytesField(), 0);
    else if (n === 6 && w === 2) record.attributes.push(keyValue(r.bytesField()));
    else if (n === 9 && w === 2) record.traceId = hex(r.bytesField());
    else if (n === 10 && w === 2) record.spanId = hex(r.bytesField());
    else if (n === 12 && w === 2) record.eventName = text.decode(r.bytesField());
    else return false;
    return true;
  });
  return record;
}
function scopeLogs(bytes) {
  const r = new Reader(bytes);
  const scope = { logRecords: [] };
  r.fields((n, w) => {
    if (n === 1 && w === 2) {
      const s = new Reader(r.bytesField());
      const info = {};
      s.fields((sn, sw) => {
        if (sn === 1 && sw === 2) info.name = text.decode(s.bytesField());
        else if (sn === 2 && sw === 2) info.version = text.decode(s.bytesField());
        else return false;
        return true;
      });
      scope.scope = info;
    } else if (n === 2 && w === 2) scope.logRecords.push(logRecord(r.bytesField()));
    else return false;
    return true;
  });
  return scope;
}
function resourceLogs(bytes) {
  const r = new Reader(bytes);
  const resource = { scopeLogs: [] };
  r.fields((n, w) => {
    if (n === 1 && w === 2) resource.resource = { attributes: repeated(r.bytesField(), 1, (b) => keyValue(b)) };
    else if (n === 2 && w === 2) resource.scopeLogs.push(scopeLogs(r.bytesField()));
    else return false;
    return true;
  });
  return resource;
}
function decodeLogsRequestProto(bytes, source = "input") {
  try {
    return { resourceLogs: repeated(bytes, 1, resourceLogs) };
  } catch (error) {
    throw new InputError(`${source}: not an OTLP/protobuf logs request (${error.message})`, { file: source }, { cause: error });
  }
}

// src/integrity/read.ts
var isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
function bodiesOf(value) {
  if (Array.isArray(value)) return value.flatMap((item) => bodiesOf(item) ?? [item]);
  if (!isObject(value)) return void 0;
  if (Array.isArray(value.resourceLogs)) return decodeLogsRequest(value).map((record) => record.body);
  if (isObject(value.hits) && Array.isArray(value.hits.hits)) return value.hits.hits.flatMap((hit) => bodiesOf(hit) ?? []);
  if (isObject(value._source)) return [bodyOfDocument(value._source)];
  if ("event" in value && ("fields" in value || "sourcetype" in value || "time" in value)) return [typeof value.event === "string" ? tryJson(value.event) : value.event];
  if (isObject(value.body) && isObject(value.attributes)) return [value.body];
  if (typeof value.name === "string") return [value];
  return void 0;
}
function bodyOfDocument(source) {
  if (isObject(source.body)) return source.body;
  if (isObject(source.Body)) return source.Body;
  const flat = Object.entries(source).filter(([key]) => key.startsWith("Body."));
  if (flat.length === 0) return source;
  const body = /* @__PURE__ */ Object.create(null);
  for (const [key, value] of flat) {
    const path = key.slice(5).split(".");
    let node = body;
    for (const segment of path.slice(0, -1)) {
      if (!isObject(node[segment])) node[segment] = /* @__PURE__ */ Object.create(null);
      node = node[segment];
    }
    node[path[path.length - 1]] = value;
  }
  return body;
}
function tryJson(text3) {
  try {
    return JSON.parse(text3);
  } catch {
    return text3;
  }
}
function readTrail(content, source) {
  const records = [];
  const unreadable = [];
  const text3 = typeof content === "string" ? content : Buffer.from(content).toString("utf8");
  const trimmed = text3.trimStart();
  if (trimmed === "") return { records, unreadable };
  if (typeof content !== "string" && !(trimmed.startsWith("{") || trimmed.startsWith("["))) {
    try {
      const request = decodeLogsRequestProto(content, source);
      decodeLogsRequest(request).forEach((record, index) => records.push({ body: record.body, where: `${source}#${index}` }));
      return { records, unreadable };
    } catch (error) {
      return { records, unreadable: [{ where: source, reason: error.message }] };
    }
  }
  if (trimmed.startsWith("[") || trimmed.startsWith("{") && !trimmed.includes("\n{")) {
    try {
      const bodies = bodiesOf(JSON.parse(text3));
      if (bodies) {
        bodies.forEach((body, index) => records.push({ body, where: `${source}#${index}` }));
        return { records, unreadable };
      }
    } catch {
    }
  }
  text3.split("\n").forEach((line, index) => {
    if (!line.trim()) return;
    const where = `${source}:${index + 1}`;
    let value;
    try {
      value = JSON.parse(line);
    } catch (error) {
      unreadable.push({ where, reason: `not JSON (${error.message})` });
      return;
    }
    const bodies = bodiesOf(value);
    if (!bodies) unreadable.push({ where, reason: "neither an OTLP request, a canonical event, a HEC event nor an OpenSearch document" });
    else bodies.forEach((body, n) => records.push({ body, where: bodies.length > 1 ? `${where}#${n}` : where }));
  });
  return { records, unreadable };
}

// src/event/contract.ts
init_package_root();
init_errors();
import { readFileSync as readFileSync2 } from "node:fs";
import { join as join3 } from "node:path";
var cached2;
function contract() {
  cached2 ??= JSON.parse(readFileSync2(contractPath(), "utf8"));
  return cached2;
}
function contractPath() {
  return join3(packageRoot(), "schemas", "contract.json");
}

// src/sigma/events.ts
init_errors();
function walk(value, segments, from) {
  if (from === segments.length) return value;
  if (typeof value !== "object" || value === null) return void 0;
  const record = value;
  const direct = record[segments[from]];
  if (direct !== void 0) {
    const found = walk(direct, segments, from + 1);
    if (found !== void 0) return found;
  }
  for (let end = segments.length; end > from + 1; end--) {
    const key = segments.slice(from, end).join(".");
    if (key in record) {
      const found = walk(record[key], segments, end);
      if (found !== void 0) return found;
    }
  }
  return void 0;
}
function canonicalGetter(attribute) {
  for (const entry of contract().fields) {
    if (entry.attribute === attribute || entry.alsoAttributes?.includes(attribute)) {
      if (entry.field === "domain") return (event, domain) => event.domain ?? domain;
      const segments2 = entry.field.split(".");
      if (segments2.length === 1) return (event) => event[entry.field];
      return (event) => walk(event, segments2, 0);
    }
    if (entry.attributePrefix && attribute.startsWith(entry.attributePrefix)) {
      const segments2 = [entry.field, ...attribute.slice(entry.attributePrefix.length).split(".")];
      return (event) => walk(event, segments2, 0);
    }
  }
  const segments = attribute.split(".");
  return (event) => walk(event, segments, 0);
}
var interned = /* @__PURE__ */ new Map();
var recording;
function compileField(name) {
  let field = interned.get(name);
  if (field === void 0) {
    field = { name, canonical: canonicalGetter(name), slot: interned.size, inherited: name in Object.prototype };
    interned.set(name, field);
  }
  recording?.fields.add(field);
  return field;
}
function noteAllValues() {
  if (recording) recording.allValues = true;
}
function recordFields(compile) {
  const outer = recording;
  recording = { fields: /* @__PURE__ */ new Set(), allValues: false };
  try {
    const result = compile();
    const { fields: fields2, allValues } = recording;
    for (const field of fields2) outer?.fields.add(field);
    if (outer && allValues) outer.allValues = true;
    return { result, fields: [...fields2], allValues };
  } finally {
    recording = outer;
  }
}
function scalars(value, out2) {
  if (Array.isArray(value)) for (const item of value) scalars(item, out2);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) scalars(item, out2);
  else if (value !== void 0 && value !== null) out2.push(value);
  return out2;
}
var EARLIEST_TIME = Date.UTC(2e3, 0, 1);
var LATEST_TIME = Date.UTC(2200, 0, 1);
var ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;
function invalidIsoDate(match) {
  const [, year, month, day, hour, minute, second] = match.map((part) => part === void 0 ? void 0 : Number(part));
  if (month < 1 || month > 12) return `month ${month} does not exist`;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return `day ${day} does not exist in ${year}-${String(month).padStart(2, "0")}`;
  if (hour !== void 0 && hour > 23) return `hour ${hour} does not exist`;
  if (minute !== void 0 && minute > 59) return `minute ${minute} does not exist`;
  if (second !== void 0 && second > 59) return `second ${second} does not exist`;
  return void 0;
}
function eventTime(time) {
  if (time === void 0 || time === null || time === "") return void 0;
  let millis;
  if (typeof time === "number") millis = time;
  else if (time instanceof Date) millis = time.getTime();
  else if (typeof time === "string" && /^\d+$/.test(time)) millis = time.length > 15 ? Number(BigInt(time) / 1000000n) : Number(time);
  else if (typeof time === "string") {
    const iso = ISO_TIME.exec(time);
    if (!iso) throw new Error(`time ${JSON.stringify(time.slice(0, 60))} is not an RFC 3339 time (2026-11-21T10:00:00Z) or epoch milliseconds`);
    const invalid = invalidIsoDate(iso);
    if (invalid) throw new Error(`time ${JSON.stringify(time)} is not a real date: ${invalid}`);
    millis = Date.parse(time);
  } else {
    throw new Error(`time is a ${Array.isArray(time) ? "list" : typeof time}, not RFC 3339 text or epoch milliseconds`);
  }
  if (!Number.isFinite(millis)) throw new Error(`time ${JSON.stringify(String(time))} is not a time`);
  if (millis < EARLIEST_TIME || millis >= LATEST_TIME) throw new Error(`time ${JSON.stringify(time instanceof Date ? time.toISOString() : time)} is outside 2000-2199 (${Number.isFinite(new Date(millis).getTime()) ? new Date(millis).toISOString() : "out of range"})`);
  return millis;
}
function timeOf(time, id) {
  try {
    return eventTime(time);
  } catch (error) {
    throw new InputError(typeof id === "string" ? `event ${id}: ${error.message}` : error.message, {}, { cause: error });
  }
}
function otlpTime(time) {
  return time === 0 || time === "0" ? void 0 : time;
}
var CanonicalView = class {
  constructor(event, domain) {
    this.event = event;
    this.domain = domain;
    this.time = timeOf(event.time, event.id);
    this.id = typeof event.id === "string" ? event.id : void 0;
  }
  event;
  domain;
  time;
  id;
  value(field) {
    return field.canonical(this.event, this.domain);
  }
  allValues() {
    return scalars(this.event, []);
  }
};
var AttributeView = class {
  constructor(attributes, time, id) {
    this.attributes = attributes;
    this.time = time;
    const uid = attributes["log.record.uid"];
    this.id = id ?? (typeof uid === "string" ? uid : void 0);
  }
  attributes;
  time;
  id;
  value(field) {
    return field.inherited && !Object.hasOwn(this.attributes, field.name) ? void 0 : this.attributes[field.name];
  }
  allValues() {
    return scalars(this.attributes, []);
  }
};
function viewOfLogRecord(record) {
  return new AttributeView(record.attributes, timeOf(otlpTime(record.timeUnixNano) ?? otlpTime(record.observedTimeUnixNano), record.attributes["log.record.uid"]));
}
var isObject2 = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
var EVENT_FORMATS = "canonical events (YAML, JSON or JSON lines, S3 JSON lines), OTLP JSON or protobuf (the collector file exporter's lines), Splunk HEC events, OpenSearch documents and search responses, or flat records of OTLP attributes";
var domainAttribute = () => contract().fields.find((f) => f.field === "domain")?.attribute ?? "event.domain";
function isHecEvent(value) {
  return "event" in value && typeof value.name !== "string" && ("fields" in value || "sourcetype" in value || "time" in value || "host" in value || "index" in value);
}
function viewsOfValue(value, source, domain) {
  if (Array.isArray(value.resourceLogs)) return decodeLogsRequest(value).map((record) => viewOfLogRecord(record));
  if (isObject2(value.hits) && Array.isArray(value.hits.hits) || isObject2(value._source) || Object.keys(value).some((key) => key.startsWith("Body.")) || isObject2(value.Body)) {
    const documents = isObject2(value.hits) && Array.isArray(value.hits.hits) ? value.hits.hits : [isObject2(value._source) ? value : { _source: value }];
    return documents.flatMap((document) => {
      const sourceDoc = isObject2(document) && isObject2(document._source) ? document._source : {};
      const attributes = isObject2(sourceDoc.Attributes) ? sourceDoc.Attributes : sourceDoc;
      const documentDomain = attributes[domainAttribute()];
      const { records } = readTrail(JSON.stringify({ _source: sourceDoc }), source);
      return records.map((record) => {
        if (!isObject2(record.body) || typeof record.body.name !== "string") throw new InputError(`an OpenSearch document without an audit event body (no Body.name)`);
        return new CanonicalView(record.body, typeof documentDomain === "string" ? documentDomain : domain);
      });
    });
  }
  if (isHecEvent(value)) {
    let event = value.event;
    if (typeof event === "string") {
      try {
        event = JSON.parse(event);
      } catch {
        throw new InputError("a Splunk HEC event whose event is text, not an audit event");
      }
    }
    if (!isObject2(event) || typeof event.name !== "string") throw new InputError("a Splunk HEC event whose event is not an audit event (an object with a name)");
    const fieldDomain = isObject2(value.fields) ? value.fields[domainAttribute()] : void 0;
    return [new CanonicalView(event, typeof fieldDomain === "string" ? fieldDomain : domain)];
  }
  if ("attributes" in value) {
    const raw = value.attributes;
    const attributes = Array.isArray(raw) ? decodeKeyValues(raw) : raw;
    const time = otlpTime(value.timeUnixNano) ?? otlpTime(value.observedTimeUnixNano) ?? value.time;
    return [new AttributeView(attributes ?? {}, timeOf(time, attributes?.["log.record.uid"]))];
  }
  if (typeof value.name === "string") return [new CanonicalView(value, domain)];
  if (typeof value[FLAT_RECORD.name] === "string") return [new AttributeView(value, timeOf(flatRecordTime(value), value[FLAT_RECORD.id]))];
  throw new InputError(`not an event: none of ${EVENT_FORMATS} (a canonical event needs a name, a flat record an event.name)`);
}
var FLAT_RECORD = {
  name: "event.name",
  id: "log.record.uid",
  times: ["timeUnixNano", "observedTimeUnixNano", "time"],
  markers: ["resourceLogs", "hits", "_source", "Body", "event", "attributes", "name"],
  /** OpenSearch documents (flatten_attributes) have keys starting with this. */
  markerPrefix: "Body."
};
function flatRecordTime(value) {
  return otlpTime(value.timeUnixNano) ?? otlpTime(value.observedTimeUnixNano) ?? value.time;
}
function flatRecordView(time, id) {
  return { time: timeOf(time, id), id: typeof id === "string" ? id : void 0 };
}
function lineFinder(text3) {
  let starts;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text3.indexOf("\n"); i !== -1; i = text3.indexOf("\n", i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = lo + hi + 1 >>> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
var JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
function jsonErrorOffset(text3) {
  const n = text3.length;
  let i = 0;
  const stack2 = [];
  const skipSpace = () => {
    while (i < n && (text3[i] === " " || text3[i] === "	" || text3[i] === "\n" || text3[i] === "\r")) i++;
  };
  const string = () => {
    if (text3[i] !== '"') return false;
    for (i++; i < n; i++) {
      const code = text3.charCodeAt(i);
      if (code === 34) {
        i++;
        return true;
      }
      if (code < 32) return false;
      if (code === 92) {
        const next = text3[i + 1] ?? "";
        if ('"\\/bfnrt'.includes(next) && next !== "") i++;
        else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text3.slice(i + 2, i + 6))) i += 5;
        else return false;
      }
    }
    return false;
  };
  let state = "value";
  for (; ; ) {
    skipSpace();
    if (state === "key") {
      if (!string()) return i;
      skipSpace();
      if (text3[i] !== ":") return i;
      i++;
      state = "value";
      continue;
    }
    if (state === "value") {
      const char = text3[i];
      if (char === "[" || char === "{") {
        i++;
        skipSpace();
        if (text3[i] === (char === "[" ? "]" : "}")) {
          i++;
          state = "after";
        } else {
          stack2.push(char);
          state = char === "[" ? "value" : "key";
        }
        continue;
      }
      if (char === '"') {
        if (!string()) return i;
      } else if (text3.startsWith("true", i) || text3.startsWith("null", i)) {
        i += 4;
      } else if (text3.startsWith("false", i)) {
        i += 5;
      } else {
        JSON_NUMBER.lastIndex = i;
        if (!JSON_NUMBER.test(text3)) return i;
        i = JSON_NUMBER.lastIndex;
      }
      state = "after";
      continue;
    }
    const top = stack2[stack2.length - 1];
    if (top === void 0) return i < n ? i : -1;
    if (text3[i] === ",") {
      i++;
      state = top === "[" ? "value" : "key";
    } else if (text3[i] === (top === "[" ? "]" : "}")) {
      i++;
      stack2.pop();
    } else {
      return i;
    }
  }
}
function jsonArrayItemOffsets(text3) {
  const offsets = [];
  let depth = 0;
  let expectItem = false;
  for (let i = 0; i < text3.length; i++) {
    const code = text3.charCodeAt(i);
    if (code === 32 || code === 9 || code === 10 || code === 13) continue;
    if (expectItem && code !== 93) offsets.push(i);
    expectItem = false;
    if (code === 34) {
      for (i++; i < text3.length && text3.charCodeAt(i) !== 34; i++) if (text3.charCodeAt(i) === 92) i++;
    } else if (code === 91 || code === 123) {
      depth++;
      if (depth === 1) expectItem = true;
    } else if (code === 93 || code === 125) {
      depth--;
    } else if (code === 44 && depth === 1) {
      expectItem = true;
    }
  }
  return offsets;
}
function readEvents(text3, source, domain, fast) {
  const views = [];
  const lines = [];
  const errors = [];
  const lineOf = lineFinder(text3);
  const fail = (line, reason, cause) => errors.push(new InputError(`${source}:${line}: ${reason}`, { file: source, line }, cause === void 0 ? void 0 : { cause }));
  const add = (item, line, what) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return fail(line, `${what} is not an object (an event is a mapping)`);
    try {
      for (const view of viewsOfValue(item, source, domain)) {
        views.push(view);
        lines.push(line);
      }
    } catch (error) {
      fail(line, error instanceof InputError ? error.message : `not a readable event (${error.message})`, error);
    }
  };
  const trimmed = text3.trimStart();
  let whole;
  if (trimmed.startsWith("{") && trimmed.trimEnd().includes("\n")) {
    try {
      whole = JSON.parse(text3);
    } catch {
      whole = void 0;
    }
  }
  if (isObject2(whole)) {
    add(whole, lineOf(text3.length - trimmed.length), "the document");
  } else if (trimmed.startsWith("{") && /"resourceLogs"/.test(trimmed.slice(0, 2e3))) {
    text3.split("\n").forEach((lineText, index) => {
      if (lineText.trim() === "") return;
      const line = index + 1;
      let request;
      try {
        request = JSON.parse(lineText);
      } catch (error) {
        return fail(line, `not an OTLP/JSON line (${error.message})`, error);
      }
      if (typeof request !== "object" || request === null || Array.isArray(request)) return fail(line, "not an OTLP/JSON line (not a JSON object)");
      let records;
      try {
        records = decodeLogsRequest(request);
      } catch (error) {
        return fail(line, `not an OTLP/JSON logs request (${error.message})`, error);
      }
      for (const record of records) {
        try {
          views.push(viewOfLogRecord(record));
          lines.push(line);
        } catch (error) {
          fail(line, error.message, error);
        }
      }
    });
  } else if (trimmed.startsWith("[")) {
    let items;
    try {
      items = JSON.parse(text3);
    } catch (error) {
      const offset = jsonErrorOffset(text3);
      fail(lineOf(offset < 0 ? text3.length : offset), `not a JSON array of events (${error.message})`, error);
      return { views, lines, errors };
    }
    if (!Array.isArray(items)) {
      fail(1, "not a JSON array of events");
      return { views, lines, errors };
    }
    const offsets = jsonArrayItemOffsets(text3);
    items.forEach((item, index) => add(item, lineOf(offsets[index] ?? 0), `item ${index}`));
  } else if (trimmed.startsWith("{")) {
    for (let from = 0, line = 1; from <= text3.length; line++) {
      const newline = text3.indexOf("\n", from);
      const end = newline === -1 ? text3.length : newline;
      const start = from;
      from = end + 1;
      if (fast) {
        try {
          const view = fast(text3, start, end);
          if (view) {
            views.push(view);
            lines.push(line);
            continue;
          }
        } catch (error) {
          fail(line, error instanceof InputError ? error.message : `not a readable event (${error.message})`, error);
          continue;
        }
      }
      const lineText = text3.slice(start, end);
      if (lineText.trim() === "") continue;
      let item;
      try {
        item = JSON.parse(lineText);
      } catch (error) {
        fail(line, `not a JSON event (${error.message})`, error);
        continue;
      }
      add(item, line, "the line");
    }
  } else {
    const counter = new LineCounter2();
    const docs = parseAllDocuments2(text3, { lineCounter: counter, prettyErrors: false });
    for (const doc of Array.isArray(docs) ? docs : []) {
      const start = counter.linePos(doc.range[0]).line;
      const error = doc.errors[0];
      if (error) {
        fail(counter.linePos(error.pos[0]).line, `YAML error: ${error.message}`, error);
        continue;
      }
      let value;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (cause) {
        fail(start, `YAML error: ${cause.message}`, cause);
        continue;
      }
      if (value === null || value === void 0) continue;
      if (Array.isArray(value)) {
        const nodes = isSeq2(doc.contents) ? doc.contents.items : [];
        value.forEach((item, index) => {
          const range = nodes[index]?.range;
          add(item, range ? counter.linePos(range[0]).line : start, `item ${index}`);
        });
      } else {
        add(value, doc.contents?.range ? counter.linePos(doc.contents.range[0]).line : start, "the document");
      }
    }
  }
  return { views, lines, errors };
}
function readEventViews(text3, source, domain) {
  const { views, errors } = readEvents(text3, source, domain);
  if (errors[0]) throw errors[0];
  return views;
}

// src/sigma/regex.ts
import { RE2JS } from "re2js";
function re2Flags(flags) {
  let result = 0;
  if (flags.includes("i")) result |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) result |= RE2JS.MULTILINE;
  if (flags.includes("s")) result |= RE2JS.DOTALL;
  return result;
}
function unsupportedConstruct(pattern) {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\\${next})`;
      if (!inClass && next === "k" && pattern[i + 2] === "<") return "a named backreference (\\k<\u2026>)";
      i++;
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      continue;
    }
    if (char === "[") {
      inClass = true;
      if (pattern[i + 1] === "^") i++;
      if (pattern[i + 1] === "]") i++;
      continue;
    }
    if (char === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith("=")) return "a lookahead (?=\u2026)";
      if (rest.startsWith("!")) return "a negative lookahead (?!\u2026)";
      if (rest === "<=") return "a lookbehind (?<=\u2026)";
      if (rest === "<!") return "a negative lookbehind (?<!\u2026)";
      if (rest.startsWith(">")) return "an atomic group (?>\u2026)";
      if (rest.startsWith("(")) return "a conditional (?(\u2026)\u2026)";
      if (rest === "P=") return "a named backreference (?P=\u2026)";
      if (/^[R0-9+&]/.test(rest)) return "a recursion or subroutine call";
    }
    if ((char === "+" || char === "*" || char === "?" || char === "}") && pattern[i + 1] === "+") return `a possessive quantifier (${char}+)`;
  }
  return void 0;
}
function compileRegex(pattern, flags) {
  let regex;
  try {
    regex = RE2JS.compile(pattern, re2Flags(flags));
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : String(error);
    const construct = unsupportedConstruct(pattern);
    if (construct) {
      throw new Error(`invalid regular expression: ${construct} is not supported; "re" takes RE2 syntax, matched in linear time, which has no backreferences, lookaround, atomic groups or possessive quantifiers (RE2: ${reason})`, { cause: error });
    }
    throw new Error(`invalid regular expression (RE2 syntax): ${reason}`, { cause: error });
  }
  return (text3) => regex.test(text3);
}

// src/sigma/modifiers.ts
function lift(predicate) {
  return (value) => Array.isArray(value) ? value.some(predicate) : predicate(value);
}
var timeModifier = (part) => ({
  kind: "value",
  rank: 1,
  seesNull: true,
  compile: (value, { name, read, fail }) => {
    if (typeof value !== "number") return fail(`"${name}" takes a number`);
    const test = lift((v) => timePart(v, part) === value);
    return (event) => test(read(event));
  }
});
var compareModifier = (operator) => ({
  kind: "value",
  rank: 2,
  seesNull: true,
  compile: (value, { name, read, fail }) => {
    if (typeof value !== "number") return fail(`"${name}" takes a number`);
    const test = lift(numberPredicate(operator, value));
    return (event) => test(read(event));
  }
});
var regexFlag = (flag) => ({ kind: "regexFlag", flag });
var MODIFIER_TABLE = [
  ["contains", { kind: "mode", mode: "contains" }],
  ["startswith", { kind: "mode", mode: "startswith" }],
  ["endswith", { kind: "mode", mode: "endswith" }],
  // Every value must match, not any; a single value is an error.
  ["all", { kind: "option", option: "all" }],
  // `field|exists: true|false`: whether the field is there and not null.
  ["exists", {
    kind: "entry",
    compile: (values, { field, fail }) => {
      const wanted = values[0];
      if (typeof wanted !== "boolean" || values.length !== 1) return fail('"exists" takes true or false');
      if (!field) return fail('"exists" needs a field');
      return (event) => {
        const value = event.value(field);
        return (value !== void 0 && value !== null) === wanted;
      };
    }
  }],
  ["cased", { kind: "option", option: "cased" }],
  // Negates the whole entry (so a missing field matches).
  ["neq", { kind: "option", option: "neq" }],
  // RE2 syntax and semantics, matched in linear time (regex.ts); inline flags such as a leading (?i) are RE2's own.
  ["re", {
    kind: "value",
    rank: 4,
    seesNull: false,
    compile: (value, { read, regexFlags, fail }) => {
      if (typeof value !== "string") return fail('"re" takes a string');
      let regex;
      try {
        regex = compileRegex(value, regexFlags);
      } catch (error) {
        return fail(error.message);
      }
      const test = lift((v) => typeof v === "string" ? regex(v) : (typeof v === "number" || typeof v === "boolean") && regex(String(v)));
      return (event) => test(read(event));
    }
  }],
  // Regex flags, with pySigma's long names as aliases.
  ["i", regexFlag("i")],
  ["m", regexFlag("m")],
  ["s", regexFlag("s")],
  ["ignorecase", regexFlag("i")],
  ["multiline", regexFlag("m")],
  ["dotall", regexFlag("s")],
  ["base64", { kind: "transform", encodes: true, apply: (v) => base64(v) }],
  // The three encodings of the value at byte offsets 0, 1 and 2 inside longer base64 text.
  ["base64offset", { kind: "transform", encodes: true, apply: (v) => base64Offsets(Buffer.isBuffer(v) ? v : Buffer.from(v)) }],
  ["utf16le", { kind: "transform", encodes: false, apply: (v) => utf16(String(v), "le") }],
  ["utf16be", { kind: "transform", encodes: false, apply: (v) => utf16(String(v), "be") }],
  // UTF-16 LE with a byte order mark.
  ["utf16", { kind: "transform", encodes: false, apply: (v) => utf16(String(v), "bom") }],
  ["wide", { kind: "transform", encodes: false, apply: (v) => utf16(String(v), "le") }],
  // Each option character (- or / after whitespace) in every dash form: -, /, en, em and horizontal bar.
  ["windash", {
    kind: "transform",
    encodes: false,
    apply: (v, { fail }) => {
      try {
        return windashVariants(String(v));
      } catch (error) {
        return fail(error.message);
      }
    }
  }],
  // Numeric comparisons; numeric strings in the event count as numbers.
  ["lt", compareModifier("lt")],
  ["lte", compareModifier("lte")],
  ["gt", compareModifier("gt")],
  ["gte", compareModifier("gte")],
  // UTC parts of a timestamp (ISO string, epoch ms or ns digit string) equal to the value.
  ["minute", timeModifier("minute")],
  ["hour", timeModifier("hour")],
  ["day", timeModifier("day")],
  ["week", timeModifier("week")],
  ["month", timeModifier("month")],
  ["year", timeModifier("year")],
  ["cidr", {
    kind: "value",
    rank: 3,
    seesNull: false,
    compile: (value, { read, fail }) => {
      let test;
      try {
        test = lift(cidrPredicate(String(value)));
      } catch (error) {
        return fail(error.message);
      }
      return (event) => test(read(event));
    }
  }],
  // `%name%` placeholders become each of their values (CompileOptions.placeholders).
  ["expand", { kind: "transform", encodes: false, apply: (v, { placeholders, fail }) => expandPlaceholders(String(v), placeholders, fail) }],
  // The value names another field of the same event, whose value is compared with the mode and `cased`.
  ["fieldref", {
    kind: "value",
    rank: 0,
    seesNull: true,
    compile: (value, { read, mode, cased, fail }) => {
      if (typeof value !== "string") return fail('"fieldref" takes a field name');
      const other = compileField(value);
      return (event) => {
        const expected = event.value(other);
        if (typeof expected !== "string" && typeof expected !== "number" && typeof expected !== "boolean") return false;
        const test = lift(stringPredicate(String(expected), mode, cased, true));
        return test(read(event));
      };
    }
  }]
];
function expandPlaceholders(value, placeholders, fail) {
  let results = [value];
  for (const match of value.matchAll(/%([^%]+)%/g)) {
    const name = match[1];
    const values = placeholders?.[name];
    if (!values) return fail(`placeholder %${name}% has no values (pass it in the compile options' placeholders)`);
    results = results.flatMap((r) => values.map((v) => r.replaceAll(`%${name}%`, v)));
  }
  return results;
}
function namesOf(table) {
  return table.map(([name]) => name);
}
var MODIFIER_NAMES = namesOf(MODIFIER_TABLE);
var MODIFIERS = new Map(MODIFIER_TABLE);

// src/sigma/detection.ts
var DetectionError = class extends OtelAuditError {
  constructor(path, reason) {
    super("SIGMA_DETECTION_INVALID", reason, { path });
    this.path = path;
  }
  path;
  name = "DetectionError";
};
var EVENT_NAME = "event.name";
function isScalar2(value) {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}
function allOf(matchers) {
  if (matchers.length === 1) return matchers[0];
  if (matchers.length === 2) {
    const [a, b] = matchers;
    return (event) => a(event) && b(event);
  }
  return (event) => {
    for (const matcher of matchers) if (!matcher(event)) return false;
    return true;
  };
}
function anyOf(matchers) {
  if (matchers.length === 1) return matchers[0];
  if (matchers.length === 2) {
    const [a, b] = matchers;
    return (event) => a(event) || b(event);
  }
  return (event) => {
    for (const matcher of matchers) if (matcher(event)) return true;
    return false;
  };
}
function parseModifiers(modifiers, path) {
  const parsed = { mode: void 0, all: false, cased: false, neq: false, regexFlags: "", transforms: [], value: void 0, entry: void 0 };
  const flags = /* @__PURE__ */ new Set();
  for (const name of modifiers) {
    const spec = MODIFIERS.get(name);
    if (!spec) throw new DetectionError(path, `unknown modifier "${name}"`);
    switch (spec.kind) {
      case "mode":
        parsed.mode ??= spec.mode;
        break;
      case "option":
        parsed[spec.option] = true;
        break;
      case "regexFlag":
        flags.add(spec.flag);
        break;
      case "transform":
        parsed.transforms.push(spec);
        break;
      case "value":
        if (!parsed.value || spec.rank < parsed.value.spec.rank) parsed.value = { name, spec };
        break;
      case "entry":
        parsed.entry ??= spec;
        break;
    }
  }
  parsed.regexFlags = ["i", "m", "s"].filter((flag) => flags.has(flag)).join("");
  return parsed;
}
function transformVariants(value, parsed, placeholders, path) {
  let variants = [value];
  let encoded = false;
  const context = { placeholders, fail: (message) => {
    throw new DetectionError(path, message);
  } };
  for (const transform of parsed.transforms) {
    variants = variants.flatMap((v) => transform.apply(v, context));
    if (variants.length > MAX_VARIANTS) throw new DetectionError(path, `the modifiers make ${variants.length} variants of this value (at most ${MAX_VARIANTS})`);
    encoded ||= transform.encodes;
  }
  return { variants: variants.map((v) => Buffer.isBuffer(v) ? v.toString("latin1") : v), encoded };
}
var ALWAYS = () => true;
function compileItem(key, rawValue, options, path) {
  const [fieldName = "", ...modifiers] = key.split("|");
  const parsed = parseModifiers(modifiers, path);
  const values = Array.isArray(rawValue) ? rawValue : [rawValue];
  for (const [index, value] of values.entries()) {
    if (!isScalar2(value)) throw new DetectionError(`${path}[${index}]`, "a value must be a string, number, boolean or null");
    if (value === null && values.length > 1) throw new DetectionError(path, "null cannot appear in a list of values");
  }
  if (parsed.all && values.length < 2) throw new DetectionError(path, '"all" needs a list of at least two values');
  const known = options.knownNames;
  if (known && fieldName === EVENT_NAME && modifiers.length === 0) {
    const names = requiredNamesOfMap({ [EVENT_NAME]: rawValue });
    if (names && [...known].every((name) => names.has(name))) return ALWAYS;
  }
  const field = fieldName === "" ? void 0 : compileField(fieldName);
  if (!field) noteAllValues();
  const read = field ? (event) => event.value(field) : (event) => event.allValues();
  const failAt = (at) => (message) => {
    throw new DetectionError(at, message);
  };
  if (parsed.entry) return parsed.entry.compile(values, { field, fail: failAt(path) });
  const mode = parsed.mode ?? (field ? "eq" : "contains");
  const { cased } = parsed;
  if (field && modifiers.length === 0 && values.length > 1 && values.every((v) => typeof v === "string" && !/[*?\\]/.test(v) || typeof v === "number" || typeof v === "boolean")) {
    const set = new Set(values.map((v) => String(v).toLowerCase()));
    const test = lift((v) => {
      const text3 = asString(v);
      return text3 !== void 0 && (set.has(text3) || set.has(lowerCase(text3)));
    });
    return (event) => test(event.value(field));
  }
  const predicates = values.map((value, index) => {
    const at = Array.isArray(rawValue) ? `${path}[${index}]` : path;
    const modifier = parsed.value;
    if (modifier && (value !== null || modifier.spec.seesNull)) {
      return modifier.spec.compile(value, { name: modifier.name, field, read, mode, cased, regexFlags: parsed.regexFlags, fail: failAt(at) });
    }
    if (value === null) {
      if (!field) throw new DetectionError(at, "null needs a field");
      return (event) => {
        const v = event.value(field);
        return v === void 0 || v === null;
      };
    }
    const text3 = typeof value === "string" ? value : String(value);
    const { variants, encoded } = transformVariants(text3, parsed, options.placeholders, at);
    const tests = variants.map((variant) => lift(stringPredicate(variant, mode, cased || encoded, encoded)));
    if (tests.length === 1) {
      const test = tests[0];
      return (event) => test(read(event));
    }
    return (event) => {
      const v = read(event);
      for (const test of tests) if (test(v)) return true;
      return false;
    };
  });
  const combined = parsed.all ? allOf(predicates) : anyOf(predicates);
  return parsed.neq ? (event) => !combined(event) : combined;
}
function requiredNamesOfMap(map) {
  const value = map[EVENT_NAME];
  const values = Array.isArray(value) ? value : [value];
  if (value === void 0 || !values.every((v) => typeof v === "string" && !/[*?\\]/.test(v))) return void 0;
  return new Set(values.map((v) => v.toLowerCase()));
}
function compileSearch(name, definition, options) {
  const path = `detection.${name}`;
  const compileMap = (map, at) => {
    const items = Object.entries(map).map(([key, value]) => compileItem(key, value, options, `${at}.${key}`));
    if (items.length === 0) throw new DetectionError(at, "an empty search identifier matches nothing");
    return allOf(items);
  };
  if (Array.isArray(definition)) {
    if (definition.length > 0 && definition.every((item) => typeof item === "object" && item !== null && !Array.isArray(item))) {
      const maps = definition;
      const matchers = maps.map((map, index) => compileMap(map, `${path}[${index}]`));
      const names = maps.map(requiredNamesOfMap);
      const eventNames = names.every((n) => n !== void 0) ? new Set(names.flatMap((n) => [...n])) : void 0;
      return { match: anyOf(matchers), eventNames };
    }
    if (definition.every(isScalar2)) return { match: compileItem("", definition, options, path), eventNames: void 0 };
    throw new DetectionError(path, "a list must hold only maps (ORed) or only values (keywords)");
  }
  if (typeof definition === "object" && definition !== null) {
    const map = definition;
    return { match: compileMap(map, path), eventNames: requiredNamesOfMap(map) };
  }
  if (isScalar2(definition) && definition !== null) return { match: compileItem("", [definition], options, path), eventNames: void 0 };
  throw new DetectionError(path, "a search identifier must be a map, a list of maps or a list of keywords");
}
function intersect(sets) {
  const known = sets.filter((s) => s !== void 0);
  if (known.length === 0) return void 0;
  return known.reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
}
function union(sets) {
  if (sets.some((s) => s === void 0)) return void 0;
  return new Set(sets.flatMap((s) => [...s]));
}
function compileCondition(node, searches, path) {
  const names = [...searches.keys()];
  const lookup = (name) => {
    const search = searches.get(name);
    if (!search) throw new DetectionError(path, `the condition names "${name}", which is not a search identifier of this detection`);
    return search;
  };
  switch (node.type) {
    case "id":
      return lookup(node.name);
    case "not": {
      const inner = compileCondition(node.item, searches, path);
      return { match: (event) => !inner.match(event), eventNames: void 0 };
    }
    case "and":
    case "or": {
      const parts = node.items.map((item) => compileCondition(item, searches, path));
      const matchers = parts.map((p) => p.match);
      if (node.type === "and") return { match: allOf(matchers), eventNames: intersect(parts.map((p) => p.eventNames)) };
      return { match: anyOf(matchers), eventNames: union(parts.map((p) => p.eventNames)) };
    }
    case "of": {
      const selected = expandPattern(node.pattern, names);
      if (selected.length === 0) throw new DetectionError(path, `"${node.pattern}" matches no search identifier`);
      const parts = selected.map(lookup);
      const matchers = parts.map((p) => p.match);
      if (node.quantifier === "all") return { match: allOf(matchers), eventNames: intersect(parts.map((p) => p.eventNames)) };
      return { match: anyOf(matchers), eventNames: union(parts.map((p) => p.eventNames)) };
    }
  }
}
function compileDetection(detection, options = {}, section = "detection", knownNames) {
  if (knownNames) options = { ...options, knownNames };
  const searches = /* @__PURE__ */ new Map();
  for (const [name, definition] of Object.entries(detection)) {
    if (name === "condition" || name === "timeframe" || name === "rules") continue;
    try {
      searches.set(name, compileSearch(name, definition, options));
    } catch (error) {
      if (error instanceof DetectionError) throw new DetectionError(error.path.replace(/^detection/, section), error.message);
      throw error;
    }
  }
  const condition = detection.condition;
  const conditions = Array.isArray(condition) ? condition : [condition];
  if (conditions.length === 0 || !conditions.every((c) => typeof c === "string")) throw new DetectionError(`${section}.condition`, "the condition must be a string or a list of strings");
  const parts = conditions.map((text3, index) => {
    const at = Array.isArray(condition) ? `${section}.condition[${index}]` : `${section}.condition`;
    let node;
    try {
      node = parseCondition(text3);
    } catch (error) {
      throw new DetectionError(at, error.message);
    }
    return compileCondition(node, searches, at);
  });
  if (parts.length === 1) return parts[0];
  const matchers = parts.map((p) => p.match);
  return { match: anyOf(matchers), eventNames: union(parts.map((p) => p.eventNames)) };
}

// src/sigma/scan.ts
var MAX_DEPTH = 512;
var QUOTE = 34;
var BACKSLASH = 92;
var ScanFields = class {
  constructor(names, markerPrefix) {
    this.names = names;
    this.markerPrefix = markerPrefix;
    const groups = /* @__PURE__ */ new Map();
    for (const name of names) groups.set(name.length, [...groups.get(name.length) ?? [], name]);
    for (const [length, group] of groups) {
      let at = 0;
      let distinct = 0;
      for (let position = 0; position < length; position++) {
        const codes = new Set(group.map((name) => name.charCodeAt(position))).size;
        if (codes > distinct) [at, distinct] = [position, codes];
      }
      const table = new Int16Array(128);
      for (const name of group) {
        const code = name.charCodeAt(at);
        if (code < 128) table[code] = table[code] === 0 ? names.indexOf(name) + 1 : -1;
      }
      this.byLength[length] = { at, table };
    }
    this.count = names.length + (markerPrefix === void 0 ? 0 : 1);
  }
  names;
  markerPrefix;
  /**
   * Per key length: the position where that length's wanted keys differ most,
   * and per character code there (below 128), the key's index plus one (0:
   * none, -1: several, then `names` is searched). So a key in a line costs two
   * character reads and one comparison, even when every wanted key starts
   * with `audit.data.`.
   */
  byLength = [];
  /** How many indexes there are: scanObject's `positions` hold two numbers per index. */
  count;
  /** The index of the key text[start, end) (unescaped), or -1 when it is not wanted. */
  indexAt(text3, start, end) {
    const prefix = this.markerPrefix;
    if (prefix !== void 0 && text3.charCodeAt(start) === prefix.charCodeAt(0) && end - start >= prefix.length && text3.startsWith(prefix, start)) return this.count - 1;
    const bucket = this.byLength[end - start];
    if (bucket === void 0) return -1;
    const code = text3.charCodeAt(start + bucket.at);
    const entry = code < 128 ? bucket.table[code] : -1;
    if (entry > 0) return text3.startsWith(this.names[entry - 1], start) ? entry - 1 : -1;
    if (entry === 0) return -1;
    return this.search(text3, start, end);
  }
  /** indexAt's slow path: several wanted keys (or a non-ASCII character) where the table looks. */
  search(text3, start, end) {
    for (let index = 0; index < this.names.length; index++) {
      const name = this.names[index];
      if (name.length === end - start && text3.startsWith(name, start)) return index;
    }
    return -1;
  }
  /** The index of an already decoded key, or -1. */
  indexOf(name) {
    return this.indexAt(name, 0, name.length);
  }
};
var isSpace = (code) => code === 32 || code === 10 || code === 13 || code === 9;
var isDigit = (code) => code >= 48 && code <= 57;
var isHex = (code) => isDigit(code) || code >= 65 && code <= 70 || code >= 97 && code <= 102;
var escaped = false;
var clean = false;
function skipString(text3, i, end) {
  escaped = false;
  if (clean) {
    const close = text3.indexOf('"', i + 1);
    return close !== -1 && close < end ? close + 1 : -1;
  }
  for (i++; i < end; i++) {
    const code = text3.charCodeAt(i);
    if (code === QUOTE) return i + 1;
    if (code < 32) return -1;
    if (code === BACKSLASH) {
      escaped = true;
      const next = text3.charCodeAt(++i);
      if (next === 117) {
        if (i + 4 >= end || !isHex(text3.charCodeAt(i + 1)) || !isHex(text3.charCodeAt(i + 2)) || !isHex(text3.charCodeAt(i + 3)) || !isHex(text3.charCodeAt(i + 4))) return -1;
        i += 4;
      } else if (!(next === QUOTE || next === BACKSLASH || next === 47 || next === 98 || next === 102 || next === 110 || next === 114 || next === 116)) {
        return -1;
      }
    }
  }
  return -1;
}
function skipNumber(text3, i, end) {
  if (text3.charCodeAt(i) === 45) i++;
  if (i >= end) return -1;
  const lead = text3.charCodeAt(i);
  if (lead === 48) i++;
  else if (lead >= 49 && lead <= 57) while (i < end && isDigit(text3.charCodeAt(i))) i++;
  else return -1;
  if (i < end && text3.charCodeAt(i) === 46) {
    const from = ++i;
    while (i < end && isDigit(text3.charCodeAt(i))) i++;
    if (i === from) return -1;
  }
  if (i < end && (text3.charCodeAt(i) | 32) === 101) {
    i++;
    if (i < end && (text3.charCodeAt(i) === 43 || text3.charCodeAt(i) === 45)) i++;
    const from = i;
    while (i < end && isDigit(text3.charCodeAt(i))) i++;
    if (i === from) return -1;
  }
  return i;
}
var stack = new Uint8Array(MAX_DEPTH);
function skipValue(text3, i, end) {
  let depth = 0;
  for (; ; ) {
    const code = text3.charCodeAt(i);
    if (code === QUOTE) {
      i = skipString(text3, i, end);
    } else if (code === 123 || code === 91) {
      const object = code === 123;
      i++;
      while (i < end && isSpace(text3.charCodeAt(i))) i++;
      if (i < end && text3.charCodeAt(i) === (object ? 125 : 93)) {
        i++;
      } else {
        if (depth === MAX_DEPTH) return -1;
        stack[depth++] = object ? 1 : 2;
        if (object) {
          i = skipKey(text3, i, end);
          if (i < 0) return -1;
        }
        continue;
      }
    } else if (code === 116) {
      i = text3.startsWith("true", i) ? i + 4 : -1;
    } else if (code === 102) {
      i = text3.startsWith("false", i) ? i + 5 : -1;
    } else if (code === 110) {
      i = text3.startsWith("null", i) ? i + 4 : -1;
    } else {
      i = skipNumber(text3, i, end);
    }
    if (i < 0 || i > end) return -1;
    for (; ; ) {
      if (depth === 0) return i;
      while (i < end && isSpace(text3.charCodeAt(i))) i++;
      if (i >= end) return -1;
      const next = text3.charCodeAt(i);
      const object = stack[depth - 1] === 1;
      if (next === 44) {
        i++;
        while (i < end && isSpace(text3.charCodeAt(i))) i++;
        if (object) {
          i = skipKey(text3, i, end);
          if (i < 0) return -1;
        }
        break;
      }
      if (next !== (object ? 125 : 93)) return -1;
      i++;
      depth--;
    }
    if (i >= end) return -1;
  }
}
function skipKey(text3, i, end) {
  if (i >= end || text3.charCodeAt(i) !== QUOTE) return -1;
  i = skipString(text3, i, end);
  if (i < 0) return -1;
  while (i < end && isSpace(text3.charCodeAt(i))) i++;
  if (i >= end || text3.charCodeAt(i) !== 58) return -1;
  i++;
  while (i < end && isSpace(text3.charCodeAt(i))) i++;
  return i < end ? i : -1;
}
function valueAt(text3, positions, index) {
  const start = positions[2 * index] - 1;
  if (start < 0) return void 0;
  const stored = positions[2 * index + 1];
  return stored < 0 ? decode(text3, start, ~stored, true) : decode(text3, start, stored, false);
}
function decode(text3, start, end, stringEscaped) {
  const code = text3.charCodeAt(start);
  if (code === QUOTE) return stringEscaped ? JSON.parse(text3.slice(start, end)) : text3.slice(start + 1, end - 1);
  if (code === 116) return true;
  if (code === 102) return false;
  if (code === 110) return null;
  if (code === 123 || code === 91) return JSON.parse(text3.slice(start, end));
  return Number(text3.slice(start, end));
}
var SPECIAL = /[\x00-\x09\x0b-\x1f\\]/g;
var specialText = "";
var specialFrom = 0;
var special = 0;
function isClean(text3, start, end) {
  if (text3 !== specialText || start < specialFrom || special < start && special !== Infinity) {
    SPECIAL.lastIndex = start;
    const found = SPECIAL.exec(text3);
    specialText = text3;
    specialFrom = start;
    special = found ? found.index : Infinity;
  }
  return special >= end;
}
function scanObject(text3, start, end, fields2, positions) {
  clean = isClean(text3, start, end);
  let i = start;
  while (i < end && isSpace(text3.charCodeAt(i))) i++;
  if (i >= end || text3.charCodeAt(i) !== 123) return false;
  i++;
  while (i < end && isSpace(text3.charCodeAt(i))) i++;
  if (i < end && text3.charCodeAt(i) === 125) {
    i++;
  } else {
    for (; ; ) {
      if (i >= end || text3.charCodeAt(i) !== QUOTE) return false;
      const keyStart = i;
      i = skipString(text3, i, end);
      if (i < 0) return false;
      const index = escaped ? fields2.indexOf(JSON.parse(text3.slice(keyStart, i))) : fields2.indexAt(text3, keyStart + 1, i - 1);
      while (i < end && isSpace(text3.charCodeAt(i))) i++;
      if (i >= end || text3.charCodeAt(i) !== 58) return false;
      i++;
      while (i < end && isSpace(text3.charCodeAt(i))) i++;
      if (i >= end) return false;
      const valueStart = i;
      const code = text3.charCodeAt(i);
      let isString = false;
      if (code === QUOTE) {
        i = skipString(text3, i, end);
        isString = true;
      } else if (isDigit(code) || code === 45) {
        i = skipNumber(text3, i, end);
      } else {
        i = skipValue(text3, i, end);
      }
      if (i < 0) return false;
      if (index >= 0) {
        positions[2 * index] = valueStart + 1;
        positions[2 * index + 1] = isString && escaped ? ~i : i;
      }
      if (i >= end) return false;
      let next = text3.charCodeAt(i++);
      if (isSpace(next)) {
        while (i < end && isSpace(text3.charCodeAt(i))) i++;
        if (i >= end) return false;
        next = text3.charCodeAt(i++);
      }
      if (next === 125) break;
      if (next !== 44) return false;
      while (i < end && isSpace(text3.charCodeAt(i))) i++;
    }
  }
  while (i < end && isSpace(text3.charCodeAt(i))) i++;
  return i === end;
}

// src/sigma/lines.ts
var ScannedView = class {
  constructor(text3, positions, indexOfSlot, time, id) {
    this.text = text3;
    this.positions = positions;
    this.indexOfSlot = indexOfSlot;
    this.time = time;
    this.id = id;
  }
  text;
  positions;
  indexOfSlot;
  time;
  id;
  value(field) {
    const index = this.indexOfSlot[field.slot];
    return index === void 0 || index < 0 ? void 0 : valueAt(this.text, this.positions, index);
  }
  allValues() {
    throw new Error("a scanned event holds only the fields its rules read, not every value");
  }
};
function flatRecordReader(fields2) {
  const extra = [FLAT_RECORD.name, FLAT_RECORD.id, ...FLAT_RECORD.times, ...FLAT_RECORD.markers].map((key) => compileField(key));
  const all = [.../* @__PURE__ */ new Set([...fields2, ...extra])];
  const scan = new ScanFields(all.map((field) => field.name), FLAT_RECORD.markerPrefix);
  const indexOfSlot = new Int16Array(Math.max(...all.map((field) => field.slot)) + 1).fill(-1);
  all.forEach((field, index) => indexOfSlot[field.slot] = index);
  const at = (name2) => indexOfSlot[compileField(name2).slot];
  const [name, id, time, observed, plainTime] = [FLAT_RECORD.name, FLAT_RECORD.id, ...FLAT_RECORD.times].map(at);
  const markers = [...FLAT_RECORD.markers.map(at), scan.count - 1];
  return (text3, start, end) => {
    const positions = new Int32Array(2 * scan.count);
    if (!scanObject(text3, start, end, scan, positions) || text3.charCodeAt(positions[2 * name] - 1) !== 34) return void 0;
    for (const marker of markers) if (positions[2 * marker] !== 0) return void 0;
    const when = flatRecordTime({ timeUnixNano: valueAt(text3, positions, time), observedTimeUnixNano: valueAt(text3, positions, observed), time: valueAt(text3, positions, plainTime) });
    const record = flatRecordView(when, valueAt(text3, positions, id));
    return new ScannedView(text3, positions, indexOfSlot, record.time, record.id);
  };
}

// src/sigma/correlation.ts
var UNITS = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 };
function parseTimespan(text3) {
  const match = /^(\d+)([smhd])$/.exec(text3);
  return match ? Number(match[1]) * UNITS[match[2]] : void 0;
}
function conditionTest(condition, fallback) {
  const c = condition ?? { gte: fallback };
  const tests = [];
  if (c.gt !== void 0) tests.push((n) => n > c.gt);
  if (c.gte !== void 0) tests.push((n) => n >= c.gte);
  if (c.lt !== void 0) tests.push((n) => n < c.lt);
  if (c.lte !== void 0) tests.push((n) => n <= c.lte);
  if (c.eq !== void 0) tests.push((n) => n === c.eq);
  if (c.neq !== void 0) tests.push((n) => n !== c.neq);
  if (tests.length === 0) tests.push((n) => n >= fallback);
  if (tests.length === 1) return tests[0];
  return (n) => {
    for (const t2 of tests) if (!t2(n)) return false;
    return true;
  };
}
function liveIds(window) {
  const ids = [];
  for (let i = window.head; i < window.ids.length; i++) for (const id of window.ids[i]) ids.push(id);
  return ids;
}
function dropExpired(window) {
  if (window.head > 1024 && window.head * 2 > window.times.length) {
    window.times = window.times.slice(window.head);
    window.ids = window.ids.slice(window.head);
    window.values = window.values.slice(window.head);
    window.head = 0;
  }
}
var Window = class {
  times = [];
  ids = [];
  /** Empty for event_count, which does not need them. */
  values = [];
  head = 0;
  /** The count per distinct value; undefined for event_count, which only needs the window's size. */
  counts;
  constructor(countValues) {
    this.counts = countValues ? /* @__PURE__ */ new Map() : void 0;
  }
  get size() {
    return this.times.length - this.head;
  }
  add(time, eventIds, value, oldest) {
    const counts = this.counts;
    const times = this.times;
    if (counts === void 0) {
      while (this.head < times.length && times[this.head] < oldest) this.head++;
      dropExpired(this);
      this.times.push(time);
      this.ids.push(eventIds);
      return;
    }
    while (this.head < times.length && times[this.head] < oldest) {
      const gone = this.values[this.head++];
      const left = counts.get(gone) - 1;
      if (left === 0) counts.delete(gone);
      else counts.set(gone, left);
    }
    dropExpired(this);
    this.times.push(time);
    this.ids.push(eventIds);
    this.values.push(value);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  /** Empties the window, as a new one would be: a group's window is reused after it fires (no map delete and re-insert, no new arrays). */
  clear() {
    this.times.length = 0;
    this.ids.length = 0;
    this.values.length = 0;
    this.head = 0;
    this.counts?.clear();
  }
  /** The ids of every event in the window, oldest first. */
  liveIds() {
    return liveIds(this);
  }
};
var NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
function numericValue(value) {
  if (typeof value === "number") return Number.isFinite(value) ? value : void 0;
  if (typeof value === "string" && NUMBER.test(value)) return Number(value);
  return void 0;
}
function lowerBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function percentileOf(sorted, p) {
  const rank = p / 100 * (sorted.length - 1);
  const lo = Math.floor(rank);
  const low = sorted[lo];
  return lo + 1 < sorted.length ? low + (rank - lo) * (sorted[lo + 1] - low) : low;
}
var NumericWindow = class {
  times = [];
  ids = [];
  values = [];
  head = 0;
  sum = 0;
  /** How many live values are not safe integers: then the running sum may have drifted. */
  inexact = 0;
  sorted;
  constructor(keepSorted) {
    this.sorted = keepSorted ? [] : void 0;
  }
  get size() {
    return this.times.length - this.head;
  }
  add(time, eventIds, value, oldest) {
    while (this.head < this.times.length && this.times[this.head] < oldest) this.forget(this.values[this.head++]);
    dropExpired(this);
    this.times.push(time);
    this.ids.push(eventIds);
    this.values.push(value);
    this.sum += value;
    if (!Number.isSafeInteger(value)) this.inexact++;
    if (this.sorted) this.sorted.splice(lowerBound(this.sorted, value), 0, value);
  }
  forget(value) {
    this.sum -= value;
    if (!Number.isSafeInteger(value)) this.inexact--;
    if (this.sorted) this.sorted.splice(lowerBound(this.sorted, value), 1);
  }
  /** The sum of the live values: the running sum while it is exact, else summed afresh (adding and taking away fractions drifts). */
  total() {
    if (this.inexact === 0 && Number.isSafeInteger(this.sum)) return this.sum;
    let sum = 0;
    for (let i = this.head; i < this.values.length; i++) sum += this.values[i];
    return sum;
  }
  liveIds() {
    return liveIds(this);
  }
};
var NUMERIC_TYPES = /* @__PURE__ */ new Set(["value_sum", "value_avg", "value_percentile"]);
function keyOf(value) {
  return typeof value === "string" ? value : JSON.stringify(value ?? null);
}
var CorrelationState = class {
  constructor(spec) {
    this.spec = spec;
    this.type = spec.type;
    this.ruleKeys = Array.from({ length: spec.ruleCount }, (_, index) => String(index));
    this.test = conditionTest(spec.condition, spec.type === "temporal" || spec.type === "temporal_ordered" ? spec.ruleCount : 1);
    this.numeric = NUMERIC_TYPES.has(spec.type);
  }
  spec;
  groups = /* @__PURE__ */ new Map();
  numericGroups = /* @__PURE__ */ new Map();
  test;
  numeric;
  type;
  /** The counted value of temporal hits, per rule index: `String(ruleIndex)` made once. */
  ruleKeys;
  /**
   * Feeds one hit (a rule match or a lower correlation's match): `ruleIndex` is
   * the referenced rule's index in the correlation's `rules` list, `group` the
   * values of its group-by fields (aliases resolved), `counted` the value of the
   * condition's field for value_*. Returns a fire when the correlation's
   * condition now holds for the hit's group. (Positional arguments: no hit
   * object per event on the engine's hot path.)
   */
  push(ruleIndex, time, eventIds, group, counted) {
    const key = group.length === 1 ? keyOf(group[0]) : JSON.stringify(group);
    return this.pushKeyed(key, group, void 0, ruleIndex, time, eventIds, counted);
  }
  /** push() for a correlation with exactly one group-by field, whose value is `value`: no group array per hit. */
  pushOne(ruleIndex, time, eventIds, value, counted) {
    return this.pushKeyed(keyOf(value), void 0, value, ruleIndex, time, eventIds, counted);
  }
  /** `group`, or when it is undefined the single group-by value `one`, gives the fire's group. */
  pushKeyed(key, group, one, ruleIndex, time, eventIds, counted) {
    if (this.numeric) return this.pushNumeric(key, group, one, time, eventIds, counted);
    let value;
    if (this.type === "value_count") {
      if (counted === void 0 || counted === null) return void 0;
      value = keyOf(counted);
    } else {
      value = this.ruleKeys[ruleIndex] ?? String(ruleIndex);
    }
    let window = this.groups.get(key);
    if (window === void 0) this.groups.set(key, window = new Window(this.type !== "event_count"));
    window.add(time, eventIds, value, time - this.spec.timespanMs);
    if (!this.holds(window, ruleIndex)) return void 0;
    const ids = this.type === "temporal_ordered" ? this.orderedIds(window) : window.liveIds();
    window.clear();
    return { time, eventIds: ids, group: this.groupOf(group ?? [one]) };
  }
  /** value_sum, value_avg, value_percentile: the aggregate of the field's numbers in the window is compared with the condition. */
  pushNumeric(key, group, one, time, eventIds, counted) {
    const value = numericValue(counted);
    if (value === void 0) return void 0;
    let window = this.numericGroups.get(key);
    if (!window) this.numericGroups.set(key, window = new NumericWindow(this.type === "value_percentile"));
    window.add(time, eventIds, value, time - this.spec.timespanMs);
    const aggregate = this.type === "value_sum" ? window.total() : this.type === "value_avg" ? window.total() / window.size : percentileOf(window.sorted, this.spec.percentile);
    if (!this.test(aggregate)) return void 0;
    const ids = window.liveIds();
    this.numericGroups.delete(key);
    return { time, eventIds: ids, group: this.groupOf(group ?? [one]) };
  }
  groupOf(values) {
    const group = {};
    this.spec.groupBy.forEach((field, index) => group[field] = values[index] ?? null);
    return group;
  }
  holds(window, ruleIndex) {
    switch (this.type) {
      case "event_count":
        return this.test(window.size);
      case "value_count":
      case "temporal":
        return this.test(window.counts.size);
      case "temporal_ordered":
        return ruleIndex === this.spec.ruleCount - 1 && window.counts.size === this.spec.ruleCount && this.inOrder(window);
      default:
        return false;
    }
  }
  /** The ids of the earliest in-order occurrence of rule 0, 1, …, n-1 in the window, or [] when there is none. */
  orderedIds(window) {
    const ids = [];
    let want = 0;
    for (let i = window.head; i < window.times.length; i++) {
      if (window.values[i] === this.ruleKeys[want]) {
        for (const id of window.ids[i]) ids.push(id);
        want++;
        if (want === this.spec.ruleCount) return ids;
      }
    }
    return [];
  }
  /** Whether orderedIds() would find a sequence: the same walk, without building the ids (it runs on every hit of the last rule). */
  inOrder(window) {
    let want = 0;
    for (let i = window.head; i < window.times.length; i++) {
      if (window.values[i] === this.ruleKeys[want] && ++want === this.spec.ruleCount) return true;
    }
    return false;
  }
};

// src/sigma/engine.ts
init_errors();
var EVENT_NAME2 = compileField("event.name");
var NONE = Object.freeze([]);
function sameLogsource(a, b) {
  return ["category", "product", "service"].every((key) => (a[key] ?? "") === (b[key] ?? ""));
}
function asList(value) {
  if (Array.isArray(value)) return value.map((v) => String(v));
  return typeof value === "string" && value !== "any" ? [value] : [];
}
var SUPPORTED_TYPES = ["event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile"];
function numericCorrelation(file, type, condition, field) {
  if (type !== "value_sum" && type !== "value_avg" && type !== "value_percentile") return void 0;
  if (!field) throw new SigmaError(file, "correlation.condition.field", `${type} needs one field (a string) whose numbers it aggregates`);
  if (!["gt", "gte", "lt", "lte", "eq", "neq"].some((op) => typeof condition?.[op] === "number")) {
    throw new SigmaError(file, "correlation.condition", `${type} needs a comparison (gt, gte, lt, lte, eq or neq)`);
  }
  if (type !== "value_percentile") return void 0;
  const percentile = condition?.percentile;
  if (percentile === void 0) throw new SigmaError(file, "correlation.condition.percentile", "value_percentile needs percentile: which percentile (0-100) of the field to compare, e.g. percentile: 95");
  if (!Number.isInteger(percentile) || percentile < 0 || percentile > 100) throw new SigmaError(file, "correlation.condition.percentile", `"${String(percentile)}" is not an integer from 0 to 100`);
  return percentile;
}
var isStringList = (value) => Array.isArray(value) && value.every((item) => typeof item === "string");
function checkCorrelationShape(source, c) {
  if (!isStringList(c.rules) || c.rules.length === 0) throw new SigmaError(source, "correlation.rules", "must be a list of rule ids or names");
  if (c["group-by"] !== void 0 && !isStringList(c["group-by"])) throw new SigmaError(source, "correlation.group-by", "must be a list of field names");
  if (c.condition !== void 0 && (typeof c.condition !== "object" || c.condition === null || Array.isArray(c.condition))) throw new SigmaError(source, "correlation.condition", "must be a map (gte: 10, field: ...)");
  const aliases = c.aliases;
  if (aliases === void 0) return;
  const isMap3 = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isMap3(aliases)) throw new SigmaError(source, "correlation.aliases", "must be a map of alias \u2192 {rule: field}");
  for (const [alias, fields2] of Object.entries(aliases)) {
    if (!isMap3(fields2) || !Object.values(fields2).every((f) => typeof f === "string")) throw new SigmaError(source, `correlation.aliases.${alias}`, "must map rule names to field names");
  }
}
function wrap(source, error) {
  if (error instanceof DetectionError) throw new SigmaError(source, error.path, error.message);
  if (error instanceof SigmaError) throw error;
  throw new SigmaError(source, `document ${source.document}`, error.message);
}
function compilePack(documents, options) {
  const byName = /* @__PURE__ */ new Map();
  const unindexed = [];
  const rules = [];
  const correlations = [];
  const filters = [];
  for (const doc of documents) {
    try {
      if (doc.kind === "rule") {
        const { eventNames } = compileDetection(doc.rule.detection, options);
        const { match } = eventNames ? compileDetection(doc.rule.detection, options, "detection", eventNames) : compileDetection(doc.rule.detection, options);
        rules.push({ rule: doc.rule, file: doc.source.file, match, eventNames, emit: true, feeds: [] });
      } else if (doc.kind === "filter") {
        const { rules: _targets, ...detection } = doc.rule.filter;
        filters.push({ filter: doc.rule, source: doc.source, match: compileDetection(detection, options, "filter").match });
      }
    } catch (error) {
      wrap(doc.source, error);
    }
  }
  for (const doc of documents) {
    if (doc.kind !== "correlation") continue;
    const c = doc.rule.correlation;
    const timespanMs = parseTimespan(String(c?.timespan));
    if (typeof c !== "object" || c === null || timespanMs === void 0) throw new SigmaError(doc.source, "correlation.timespan", `"${String(c?.timespan)}" is not a timespan (a number and s, m, h or d)`);
    if (!SUPPORTED_TYPES.includes(c.type)) {
      throw new SigmaError(doc.source, "correlation.type", `"${c.type}" is not supported by this engine (${SUPPORTED_TYPES.join(", ")})`);
    }
    checkCorrelationShape(doc.source, c);
    const field = typeof c.condition?.field === "string" ? c.condition.field : void 0;
    if (c.type === "value_count" && !field) throw new SigmaError(doc.source, "correlation.condition.field", "value_count needs the field whose distinct values it counts");
    const percentile = numericCorrelation(doc.source, c.type, c.condition, field);
    const spec = { type: c.type, ruleCount: c.rules.length, groupBy: c["group-by"] ?? [], timespanMs, condition: c.condition, field, percentile };
    const aliases = c.aliases ?? {};
    const names = c.rules;
    correlations.push({
      index: correlations.length,
      rule: doc.rule,
      file: doc.source.file,
      source: doc.source,
      state: () => new CorrelationState(spec),
      emit: true,
      feeds: [],
      groupBy: spec.groupBy,
      field,
      fieldFor: (ruleIndex, f) => Object.hasOwn(aliases, f) && Object.hasOwn(aliases[f], names[ruleIndex]) ? aliases[f][names[ruleIndex]] : f
    });
  }
  const findRule = (ref) => rules.find((r) => r.rule.id === ref || r.rule.name === ref);
  const findCorrelation = (ref) => correlations.find((r) => r.rule.id === ref || r.rule.name === ref);
  for (const correlation of correlations) {
    correlation.rule.correlation.rules.forEach((ref, ruleIndex) => {
      const target = findRule(ref) ?? findCorrelation(ref);
      if (!target) throw new SigmaError(correlation.source, `correlation.rules[${ruleIndex}]`, `no rule or correlation has the id or name "${ref}"`);
      const groupNames = correlation.groupBy.map((f) => correlation.fieldFor(ruleIndex, f));
      const countedName = correlation.field === void 0 ? void 0 : correlation.fieldFor(ruleIndex, correlation.field);
      target.feeds.push({ correlation, ruleIndex, groupNames, groupFields: groupNames.map(compileField), countedName, countedField: countedName === void 0 ? void 0 : compileField(countedName) });
      if (!correlation.rule.generate && !options.emitAll) target.emit = false;
    });
  }
  for (const { filter, source, match } of filters) {
    const targets = asList(filter.filter.rules);
    for (const rule of rules) {
      const named = targets.length === 0 || targets.includes(rule.rule.id ?? "") || targets.includes(rule.rule.name ?? "");
      if (!named || !sameLogsource(filter.logsource ?? {}, rule.rule.logsource ?? {})) continue;
      const inner = rule.match;
      rule.match = (event) => inner(event) && match(event);
    }
    if (targets.length > 0 && !targets.some((t2) => rules.some((r) => r.rule.id === t2 || r.rule.name === t2))) {
      throw new SigmaError(source, "filter.rules", `none of ${targets.join(", ")} is a rule in the pack`);
    }
  }
  for (const rule of rules) {
    if (!rule.eventNames) {
      unindexed.push(rule);
      continue;
    }
    for (const name of rule.eventNames) {
      const list = byName.get(name) ?? [];
      list.push(rule);
      byName.set(name, list);
    }
  }
  return { rules, correlations, byName, unindexed };
}
var SigmaEngine = class _SigmaEngine {
  constructor(documents, options = {}) {
    this.options = options;
    const { result, fields: fields2, allValues } = recordFields(() => compilePack(documents, options));
    this.rules = result.rules;
    this.correlations = result.correlations;
    this.byName = result.byName;
    this.unindexed = result.unindexed;
    this.fields = fields2;
    this.readsAllValues = allValues;
  }
  options;
  byName;
  unindexed;
  /** Every field the rules, filters and correlations read (compileField). */
  fields;
  /** Whether a rule has a keyword search, which reads every value of an event. */
  readsAllValues;
  lineReader;
  rules;
  correlations;
  /**
   * A reader of JSON lines (readEvents' `fast`) that decodes only the fields
   * these rules read from flat attribute records; undefined when a rule has a
   * keyword search, which needs every value.
   */
  jsonLineReader() {
    if (this.readsAllValues) return void 0;
    return this.lineReader ??= flatRecordReader([...this.fields, EVENT_NAME2]);
  }
  static fromPaths(paths, options = {}) {
    return new _SigmaEngine(loadSigmaDocuments(paths), options);
  }
  static fromText(text3, options = {}) {
    return new _SigmaEngine(parseSigmaText(text3), options);
  }
  /** The detection rules (after filters) that match one event, correlations aside. */
  matchingRules(event) {
    const indexed = this.candidates(event);
    let result;
    if (indexed) {
      for (const rule of indexed) if (rule.match(event)) (result ??= []).push(rule);
    }
    for (const rule of this.unindexed) if (rule.match(event)) (result ??= []).push(rule);
    return result ?? NONE;
  }
  /** The rules indexed under the event's name (the unindexed ones apply to every event). */
  candidates(event) {
    const name = event.value(EVENT_NAME2);
    return typeof name === "string" ? this.byName.get(lowerCase(name)) : void 0;
  }
  get unindexedRules() {
    return this.unindexed;
  }
  /** A stream over which correlations keep their state. Events must arrive in time order. */
  session() {
    return new SigmaSession(this);
  }
  /** Runs events (sorted by time first, stably) through a fresh session. */
  run(events) {
    const sorted = [...events].sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
    const session = this.session();
    return sorted.flatMap((event) => session.push(event));
  }
  /** Reads events from text (see readEventViews) and runs them. */
  runText(text3, source) {
    return this.run(readEventViews(text3, source, this.options.domain));
  }
};
var SigmaSession = class {
  constructor(engine2) {
    this.engine = engine2;
  }
  engine;
  /** Correlation states, by the correlation's index in the engine (an array: no map lookup per hit). */
  states = [];
  /** The current push's matches so far (the first `count` slots), copied into an exact-size array at its end. */
  buffer = [];
  count = 0;
  push(event) {
    this.count = 0;
    let ids;
    const indexed = this.engine.candidates(event);
    if (indexed !== void 0) {
      for (let i = 0; i < indexed.length; i++) {
        const rule = indexed[i];
        if (rule.match(event)) ids = this.matched(rule, event, ids);
      }
    }
    const unindexed = this.engine.unindexedRules;
    for (let i = 0; i < unindexed.length; i++) {
      const rule = unindexed[i];
      if (rule.match(event)) ids = this.matched(rule, event, ids);
    }
    const count = this.count;
    if (count === 0) return [];
    if (count === 1) return [this.buffer[0]];
    return this.buffer.slice(0, count);
  }
  emit(match) {
    this.buffer[this.count++] = match;
  }
  /** Records one rule's match: its detection match (if it emits) and a hit for each correlation it feeds. Returns the event's ids array. */
  matched(rule, event, eventIds) {
    const feeds = rule.feeds;
    if (feeds.length > 0 && event.time === void 0) throw new InputError(`event ${event.id ?? "(no id)"} has no time; correlation "${feeds[0].correlation.rule.title}" needs one`);
    const ids = eventIds ?? (event.id === void 0 ? [] : [event.id]);
    if (rule.emit) this.emit({ kind: "detection", ruleId: rule.rule.id, title: rule.rule.title, level: rule.rule.level, file: rule.file, eventIds: ids, time: event.time });
    for (let i = 0; i < feeds.length; i++) {
      const feed = feeds[i];
      const time = event.time;
      const fields2 = feed.groupFields;
      const counted = feed.countedField ? event.value(feed.countedField) : void 0;
      if (fields2.length === 1) {
        this.feedOne(feed.correlation, feed.ruleIndex, time, ids, event.value(fields2[0]) ?? null, counted);
        continue;
      }
      const group = new Array(fields2.length);
      for (let f = 0; f < fields2.length; f++) group[f] = event.value(fields2[f]) ?? null;
      this.feed(feed.correlation, feed.ruleIndex, time, ids, group, counted);
    }
    return ids;
  }
  state(correlation) {
    let state = this.states[correlation.index];
    if (state === void 0) this.states[correlation.index] = state = correlation.state();
    return state;
  }
  feed(correlation, ruleIndex, time, eventIds, group, counted) {
    const fire = this.state(correlation).push(ruleIndex, time, eventIds, group, counted);
    if (fire) this.fired(correlation, fire);
  }
  feedOne(correlation, ruleIndex, time, eventIds, value, counted) {
    const fire = this.state(correlation).pushOne(ruleIndex, time, eventIds, value, counted);
    if (fire) this.fired(correlation, fire);
  }
  /** Reports a correlation's fire and feeds it to the correlations that reference it. */
  fired(correlation, fire) {
    const rule = correlation.rule;
    if (correlation.emit) this.emit({ kind: "correlation", ruleId: rule.id, title: rule.title, level: rule.level, file: correlation.file, eventIds: fire.eventIds, time: fire.time, group: fire.group });
    for (const feed of correlation.feeds) {
      const higher = feed.groupNames.map((name) => fire.group[name] ?? null);
      const value = feed.countedName === void 0 ? void 0 : fire.group[feed.countedName];
      this.feed(feed.correlation, feed.ruleIndex, fire.time, fire.eventIds, higher, value);
    }
  }
};

// src/sigma/validate.ts
init_package_root();
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
var addFormats = addFormatsModule.default ?? addFormatsModule;

// src/sigma/pack.ts
init_package_root();
import { basename, isAbsolute, join as join4, relative, resolve } from "node:path";
import { parse } from "yaml";

// src/event/catalog.ts
init_package_root();
import { Ajv2020 as Ajv20202 } from "ajv/dist/2020.js";
import addFormatsModule2 from "ajv-formats";
import { parse as parseYaml } from "yaml";

// src/event/errors.ts
init_errors();

// src/event/catalog.ts
var addFormats2 = addFormatsModule2.default ?? addFormatsModule2;

// src/sigma/catalog.ts
init_package_root();

// src/sigma/pack.ts
function defaultRulesPath() {
  return join4(packageRoot(), "sigma", "rules");
}

// src/sigma/testing.ts
init_package_root();
import { parse as parse2 } from "yaml";
init_errors();

// src/sigma/report.ts
init_package_root();
import { isMap as isMap2, isSeq as isSeq3, LineCounter as LineCounter3, parseDocument } from "yaml";

// src/sigma/convert.ts
import { parse as parse3 } from "yaml";

// src/tools/cache.ts
init_package_root();

// src/sigma/convert.ts
init_package_root();

// src/tools/errors.ts
init_errors();

// src/sigma/convert.ts
init_errors();

// bench/sigma/micro-scratch.ts
var text2 = readFileSync3("/tmp/sg/events.jsonl", "utf8");
var engine = SigmaEngine.fromPaths([defaultRulesPath()], { emitAll: true });
var reader = engine.jsonLineReader();
var fields = new ScanFields(engine.fields.map((f) => f.name), "Body.");
var out = new Int32Array(2 * fields.count);
var t = (label, f) => {
  const c = process.cpuUsage();
  f();
  const u = process.cpuUsage(c);
  console.log(label, Math.round(2e5 / ((u.user + u.system) / 1e6)));
};
for (let k = 0; k < 3; k++) {
  t("split", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      from = end + 1;
    }
  });
  t("scanObject", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      out = new Int32Array(2 * fields.count);
      scanObject(text2, from, end, fields, out);
      from = end + 1;
    }
  });
  t("reader", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      reader(text2, from, end);
      from = end + 1;
    }
  });
  t("JSON.parse", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      JSON.parse(text2.slice(from, end));
      from = end + 1;
    }
  });
}
var none = new ScanFields([]);
for (let k = 0; k < 3; k++) {
  t("scan no fields", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      scanObject(text2, from, end, none, out);
      from = end + 1;
    }
  });
  t("scanObject", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      out = new Int32Array(2 * fields.count);
      scanObject(text2, from, end, fields, out);
      from = end + 1;
    }
  });
  t("JSON.parse", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      JSON.parse(text2.slice(from, end));
      from = end + 1;
    }
  });
}
for (let k = 0; k < 3; k++) {
  t("alloc only", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      out = new Int32Array(2 * fields.count);
      from = end + 1;
    }
  });
  t("scan fields, one array", () => {
    let from = 0;
    for (let end = text2.indexOf("\n"); end !== -1; end = text2.indexOf("\n", from)) {
      scanObject(text2, from, end, fields, out);
      from = end + 1;
    }
  });
}
