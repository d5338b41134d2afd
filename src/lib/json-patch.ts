// JSON Patch (RFC 6902, https://www.rfc-editor.org/rfc/rfc6902) with JSON Pointers (RFC 6901):
// add, remove, replace, move, copy and test, applied in order to a copy; any failing operation
// fails the whole patch with a message naming the operation's index and path.
import { isDeepStrictEqual } from 'node:util';

type Json = unknown;

export class JsonPatchError extends Error {
  constructor(index: number, op: string, message: string) {
    super(`operation ${index} (${op}): ${message}`);
    this.name = 'JsonPatchError';
  }
}

function isMap(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/')))
    throw new Error(`${JSON.stringify(path)} is not a JSON pointer (e.g. "/spec/replicas")`);
  return path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The parent container of the pointer's last token, and that token. */
function parentOf(doc: Json, tokens: string[], path: string): [Json, string] {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    const next = Array.isArray(cur) ? cur[Number(t)] : isMap(cur) ? cur[t] : undefined;
    if (next === undefined) throw new Error(`path "${path}" does not exist`);
    cur = next;
  }
  return [cur, tokens[tokens.length - 1] as string];
}

function arrayIndex(arr: Json[], token: string, path: string, forAdd: boolean): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new Error(`path "${path}": "${token}" is not a list index`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length))
    throw new Error(`path "${path}": index ${i} is out of range`);
  return i;
}

function get(doc: Json, path: string): Json {
  let cur = doc;
  for (const t of pointer(path)) {
    cur = Array.isArray(cur)
      ? cur[arrayIndex(cur, t, path, false)]
      : isMap(cur) && Object.hasOwn(cur, t)
        ? cur[t]
        : undefined;
    if (cur === undefined) throw new Error(`path "${path}" does not exist`);
  }
  return cur;
}

function remove(doc: Json, path: string): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) throw new Error('cannot remove the whole document');
  const [parent, last] = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, path, false), 1)[0];
  if (!isMap(parent) || !Object.hasOwn(parent, last)) throw new Error(`path "${path}" does not exist`);
  const old = parent[last];
  delete parent[last];
  return old;
}

function add(doc: Json, path: string, value: Json): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const [parent, last] = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, path, true), 0, value);
  else if (isMap(parent)) parent[last] = value;
  else throw new Error(`path "${path}": the parent is not a mapping or a list`);
  return doc;
}

export function applyJsonPatch(document: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new Error('a JSON patch is a list of operations');
  let doc = structuredClone(document);
  ops.forEach((raw, i) => {
    const o = (isMap(raw) ? raw : {}) as { op?: string; path?: string; from?: string; value?: Json };
    const op = String(o.op);
    try {
      const path = o.path as string;
      if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op))
        throw new Error('op must be add, remove, replace, move, copy or test');
      if (op !== 'remove' && op !== 'move' && op !== 'copy' && !('value' in o))
        throw new Error('"value" is required');
      if (op === 'add') doc = add(doc, path, structuredClone(o.value));
      else if (op === 'remove') remove(doc, path);
      else if (op === 'replace') {
        get(doc, path);
        if (pointer(path).length === 0) doc = structuredClone(o.value);
        else {
          remove(doc, path);
          add(doc, path, structuredClone(o.value));
        }
      } else if (op === 'move') doc = add(doc, path, remove(doc, o.from as string));
      else if (op === 'copy') doc = add(doc, path, structuredClone(get(doc, o.from as string)));
      else if (op === 'test') {
        if (!isDeepStrictEqual(get(doc, path), o.value)) throw new Error(`"${path}" is not the tested value`);
      }
    } catch (err) {
      throw new JsonPatchError(i, op, (err as Error).message);
    }
  });
  return doc;
}
