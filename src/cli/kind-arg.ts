// Resolving the KIND argument of get/delete, with a message listing what is accepted.
import { type Kind, kinds, resolveKind } from '../api/index.js';

export function kindArg(command: string, typed: string): Kind {
  const kind = resolveKind(typed);
  if (kind) return kind;
  const known = Object.values(kinds)
    .map((k) => [k.plural, ...k.shortNames.slice(0, 1)].join('/'))
    .join(', ');
  throw new Error(`${command}: unknown kind "${typed}" (known: ${known})`);
}
