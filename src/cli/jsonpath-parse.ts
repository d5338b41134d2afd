// Parsing kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath, documented at
// https://kubernetes.io/docs/reference/kubectl/jsonpath/): literal text and `{…}` actions, where an
// action is a path (`.status.podIP`, `.items[*].metadata.name`, `['key']`, `[0]`, `[1:3]`, `..name`,
// `[?(@.type == "Ready")]`), a union of paths (`{.a,.b}`), a string literal (`{"\t"}`), or
// `range PATH` … `end`. The tree is evaluated in jsonpath.ts.

export type Step =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; name: string | undefined }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | undefined; end: number | undefined; step: number }
  | { kind: 'filter'; path: Path; op: FilterOp | undefined; value: unknown };

export type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Path {
  /** `$…` starts at the root; anything else at the current object (the root outside a range). */
  fromRoot: boolean;
  steps: Step[];
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'paths'; paths: Path[] }
  | { kind: 'range'; path: Path; body: Node[] };

export class JsonPathError extends Error {
  constructor(template: string, reason: string) {
    super(`bad jsonpath template ${JSON.stringify(template)}: ${reason}`);
    this.name = 'JsonPathError';
  }
}

class Cursor {
  pos = 0;
  constructor(readonly src: string) {}
  peek(n = 0): string {
    return this.src[this.pos + n] ?? '';
  }
  eat(s: string): boolean {
    if (!this.src.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }
  skipSpaces(): void {
    while (this.peek() === ' ') this.pos++;
  }
  get done(): boolean {
    return this.pos >= this.src.length;
  }
}

const nameChar = /[A-Za-z0-9_\-/]/;

function parseQuoted(c: Cursor, fail: (r: string) => never): string {
  const quote = c.peek();
  const start = c.pos;
  c.pos++;
  let raw = '';
  while (!c.done && c.peek() !== quote) {
    const n = c.peek() === '\\' ? 2 : 1; // an escaped quote does not end the string
    raw += c.src.slice(c.pos, c.pos + n);
    c.pos += n;
  }
  if (!c.eat(quote)) fail(`unterminated string at character ${start + 1}`);
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
  return raw.replace(/\\(.)/g, (_m, ch: string) => escapes[ch] ?? ch);
}

function parseName(c: Cursor): string {
  let name = '';
  for (;;) {
    if (c.peek() === '\\' && c.peek(1) !== '') {
      name += c.peek(1); // `\.` keeps a dot inside a label key, as kubectl allows
      c.pos += 2;
    } else if (nameChar.test(c.peek())) {
      name += c.peek();
      c.pos++;
    } else return name;
  }
}

function parseLiteral(c: Cursor, fail: (r: string) => never): unknown {
  c.skipSpaces();
  if (c.peek() === '"' || c.peek() === "'") return parseQuoted(c, fail);
  const m = /^(-?\d+(\.\d+)?|true|false|null)/.exec(c.src.slice(c.pos));
  if (!m) fail(`expected a value at character ${c.pos + 1}`);
  c.pos += m[0].length;
  return JSON.parse(m[0]) as unknown;
}

function parseBracket(c: Cursor, fail: (r: string) => never): Step {
  const open = c.pos;
  c.pos++; // '['
  c.skipSpaces();
  let step: Step;
  if (c.peek() === '"' || c.peek() === "'") {
    step = { kind: 'field', name: parseQuoted(c, fail) };
  } else if (c.eat('*')) {
    step = { kind: 'wildcard' };
  } else if (c.eat('?(')) {
    c.skipSpaces();
    const path = parsePath(c, fail, true);
    c.skipSpaces();
    const op = (['==', '!=', '<=', '>=', '<', '>'] as const).find((o) => c.eat(o));
    const value = op ? parseLiteral(c, fail) : undefined;
    c.skipSpaces();
    if (!c.eat(')')) fail(`expected ")" closing the filter at character ${c.pos + 1}`);
    step = { kind: 'filter', path, op, value };
  } else {
    const m = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?/.exec(c.src.slice(c.pos));
    const text = m?.[0] ?? '';
    if (text === '' || text === ':')
      fail(`expected an index, a slice, '*' or a quoted key at character ${c.pos + 1}`);
    c.pos += text.length;
    const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
    step =
      m?.[2] === undefined
        ? { kind: 'index', index: Number(m?.[1]) }
        : { kind: 'slice', start: num(m?.[1]), end: num(m?.[2]), step: num(m?.[3]) ?? 1 };
    if (step.kind === 'slice' && step.step <= 0) fail('a slice step must be positive');
  }
  c.skipSpaces();
  if (!c.eat(']')) fail(`unterminated [ at character ${open + 1}`);
  return step;
}

/** A path up to the first character that cannot continue it. */
function parsePath(c: Cursor, fail: (r: string) => never, inFilter = false): Path {
  const fromRoot = c.eat('$');
  if (!fromRoot) c.eat('@');
  const steps: Step[] = [];
  for (;;) {
    if (c.eat('..')) {
      const name = c.eat('*') ? undefined : parseName(c);
      if (name === '') fail(`expected a field name after ".." at character ${c.pos + 1}`);
      steps.push({ kind: 'recursive', name });
    } else if (c.peek() === '.') {
      c.pos++;
      if (c.eat('*')) steps.push({ kind: 'wildcard' });
      else {
        const name = parseName(c);
        // A lone "." is the current object itself ({.} prints it whole).
        if (name !== '') steps.push({ kind: 'field', name });
      }
    } else if (c.peek() === '[') {
      steps.push(parseBracket(c, fail));
    } else if (!inFilter && steps.length === 0 && !fromRoot && nameChar.test(c.peek())) {
      // `{items[0]}` without a leading dot: kubectl reads it as a field of the current object.
      steps.push({ kind: 'field', name: parseName(c) });
    } else {
      return { fromRoot, steps };
    }
  }
}

function parseAction(body: string, fail: (r: string) => never, offset: number): Node | 'end' {
  const c = new Cursor(body);
  const failAt = (r: string): never =>
    fail(r.replace(/character (\d+)/, (_m, n) => `character ${Number(n) + offset}`));
  c.skipSpaces();
  if (c.eat('end')) {
    c.skipSpaces();
    if (!c.done) failAt(`unexpected "${body.slice(c.pos)}" after end`);
    return 'end';
  }
  if (c.eat('range ')) {
    c.skipSpaces();
    const path = parsePath(c, failAt);
    c.skipSpaces();
    if (!c.done) failAt(`unexpected "${body.slice(c.pos)}" at character ${c.pos + 1}`);
    return { kind: 'range', path, body: [] };
  }
  if (c.peek() === '"' || c.peek() === "'") {
    const text = parseQuoted(c, failAt);
    c.skipSpaces();
    if (!c.done) failAt(`unexpected "${body.slice(c.pos)}" after the string`);
    return { kind: 'text', text };
  }
  const paths: Path[] = [];
  for (;;) {
    c.skipSpaces();
    const start = c.pos;
    const path = parsePath(c, failAt);
    if (c.pos === start) failAt(`expected a path at character ${c.pos + 1}`);
    paths.push(path);
    c.skipSpaces();
    if (c.done) return { kind: 'paths', paths };
    if (!c.eat(',')) failAt(`unexpected "${body.slice(c.pos)}" at character ${c.pos + 1}`);
  }
}

/** Parses a whole template; throws JsonPathError naming the template and what is wrong. */
export function parseJsonPath(template: string): Node[] {
  const fail = (reason: string): never => {
    throw new JsonPathError(template, reason);
  };
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const top = stack[stack.length - 1] as Node[];
    if (open < 0) {
      top.push({ kind: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) top.push({ kind: 'text', text: template.slice(i, open) });
    const close = findClose(template, open);
    if (close < 0) fail(`unclosed action starting at character ${open + 1}`);
    const node = parseAction(template.slice(open + 1, close), fail, open + 1);
    if (node === 'end') {
      if (stack.length === 1) fail(`{end} at character ${open + 1} without a {range}`);
      stack.pop();
    } else {
      top.push(node);
      if (node.kind === 'range') stack.push(node.body);
    }
    i = close + 1;
  }
  if (stack.length > 1) fail('{range} without a matching {end}');
  return root;
}

/** The `}` closing the action at `open`, skipping any inside quoted strings. */
function findClose(template: string, open: number): number {
  let quote = '';
  for (let i = open + 1; i < template.length; i++) {
    const ch = template[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '}') return i;
  }
  return -1;
}
