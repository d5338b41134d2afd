// Names as Kubernetes' controllers make them. A ReplicaSet is `<deployment>-<pod-template-hash>`,
// the hash being FNV-32a of the pod template (pkg/controller/controller_utils.go ComputeHash),
// its decimal form rendered with apimachinery's safe alphabet (util/rand.SafeEncodeString); a
// generated name (`<rs>-25swg`, `<svc>-x7k2p`) gets five random characters from the same
// alphabet, as the API server does for metadata.generateName. The alphabet has no vowels and no
// easily confused characters, so no name spells a word.
import { randomInt } from 'node:crypto';
import { canonicalJson } from '../../store/prepare.js';

export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The label on a ReplicaSet's selector and template that ties its pods to one template. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character of `s` mapped onto the safe alphabet by its code. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * The pod-template-hash of a template. Kubernetes hashes Go's printed struct, which a TypeScript
 * object cannot reproduce byte for byte; canonical JSON (sorted keys) plays that part, so equal
 * templates give equal hashes whatever order their keys were written in. `collisionCount`
 * (status.collisionCount) is mixed in the same way, to step past a name already taken.
 */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  const text = canonicalJson(template) + (collisionCount > 0 ? String(collisionCount) : '');
  return safeEncode(String(fnv32a(text)));
}

/** Five random safe characters: the suffix of a generated name. */
export function randomSuffix(n = 5, random: (max: number) => number = randomInt): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE_ALPHABET[random(SAFE_ALPHABET.length)];
  return out;
}

/** generateName's rule: the prefix is cut so prefix + suffix fits 63 characters. */
export function generatedName(prefix: string, random?: (max: number) => number): string {
  return `${prefix.slice(0, 63 - 5 - 1)}-${randomSuffix(5, random)}`;
}
