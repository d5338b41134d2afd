// Manifests: multi-document YAML (or JSON) from files, directories or stdin, decoded and
// validated completely before anything is written. Errors read
//   l2.yaml doc 1 CiliumL2AnnouncementPolicy/policy1: spec.nodeSelector.matchExpressions[0].operator: …
// Document indexes are 1-based and count only non-empty documents' positions in the file
// (the first `---`-separated document is doc 1), so they match what a user counts in an editor.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { joinFieldError } from './issues.js';
import { kinds } from './kinds.js';
import type { AnyObject } from './objects.js';
import { validateObject } from './validate.js';
import { errorLine } from '../lib/errors.js';

/** Larger files are refused before parsing (a manifest is not a data dump). */
export const maxManifestBytes = 4 * 1024 * 1024;
/** etcd refuses values over 1.5 MiB by default; refuse earlier with a clear message. */
export const maxObjectBytes = 1024 * 1024;

export interface ManifestSource {
  /** What messages call it: the file's base name, or "stdin". */
  name: string;
  text: string;
}

export interface ManifestObject {
  source: string;
  doc: number;
  object: AnyObject;
}

export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length > 1 ? `${problems[0]} (and ${problems.length - 1} more)` : (problems[0] ?? 'invalid'),
    );
    this.name = 'ManifestError';
  }
}

const manifestExt = /\.(ya?ml|json)$/i;

/** Reads `-f` arguments: a file, a directory (its *.yaml, *.yml, *.json, sorted) or "-" (stdin). */
export function readManifestSources(
  paths: string[],
  readStdin: () => string = () => readFileSync(0, 'utf8'),
): ManifestSource[] {
  const sources: ManifestSource[] = [];
  const readOne = (path: string, name: string) => {
    const size = statSync(path).size;
    if (size > maxManifestBytes) {
      throw new ManifestError([`${name}: file is ${mib(size)}; the limit is ${mib(maxManifestBytes)}`]);
    }
    sources.push({ name, text: readFileSync(path, 'utf8') });
  };
  for (const path of paths) {
    if (path === '-') {
      const text = readStdin();
      if (Buffer.byteLength(text) > maxManifestBytes) {
        throw new ManifestError([
          `stdin: input is ${mib(Buffer.byteLength(text))}; the limit is ${mib(maxManifestBytes)}`,
        ]);
      }
      sources.push({ name: 'stdin', text });
      continue;
    }
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new ManifestError([`${path}: no such file or directory`]);
    }
    if (stat.isDirectory()) {
      const files = readdirSync(path)
        .filter((f) => manifestExt.test(f))
        .sort();
      if (files.length === 0)
        throw new ManifestError([`${path}: no .yaml, .yml or .json files in the directory`]);
      for (const f of files) readOne(join(path, f), f);
    } else {
      readOne(path, basename(path));
    }
  }
  return sources;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Decodes and validates every document of every source; throws ManifestError listing all problems. */
export function parseManifests(sources: ManifestSource[]): ManifestObject[] {
  const problems: string[] = [];
  const objects: ManifestObject[] = [];
  const seen = new Map<string, string>();
  for (const src of sources) {
    const docs = parseAllDocuments(src.text, { uniqueKeys: true, prettyErrors: false });
    const list = Array.isArray(docs) ? docs : [docs];
    let count = 0;
    const problemsBefore = problems.length;
    list.forEach((doc, i) => {
      const where = `${src.name} doc ${i + 1}`;
      if (doc.errors.length > 0) {
        problems.push(`${where}: not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
        return;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (err) {
        // e.g. "Excessive alias count" for a billion-laughs document
        problems.push(`${where}: not valid YAML: ${errorLine(err)}`);
        return;
      }
      if (value === null || value === undefined) return; // an empty document, e.g. after a trailing ---
      count++;
      const result = validateObject(value);
      if (!result.ok) {
        const who = result.kind ? ` ${result.kind}/${result.name ?? '<no name>'}` : '';
        for (const e of result.errors) problems.push(`${where}${who}: ${joinFieldError(e)}`);
        return;
      }
      const o = result.object;
      const id = `${o.kind}/${o.metadata.name}`;
      const bytes = Buffer.byteLength(JSON.stringify(o));
      if (bytes > maxObjectBytes) {
        problems.push(`${where} ${id}: object is ${mib(bytes)}; the limit is ${mib(maxObjectBytes)}`);
        return;
      }
      const key = `${o.kind}/${kinds[o.kind].namespaced ? o.metadata.namespace : ''}/${o.metadata.name}`;
      const first = seen.get(key);
      if (first) {
        problems.push(`${where} ${id}: metadata.name: duplicate of ${first}`);
        return;
      }
      seen.set(key, where);
      objects.push({ source: src.name, doc: i + 1, object: o });
    });
    if (count === 0 && problems.length === problemsBefore)
      problems.push(`${src.name}: no objects in the file`);
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return objects;
}

/** Both steps: read the `-f` arguments and validate everything in them. */
export function loadManifests(paths: string[], readStdin?: () => string): ManifestObject[] {
  return parseManifests(readManifestSources(paths, readStdin));
}
