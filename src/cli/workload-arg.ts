// The object argument of scale and rollout, in both of kubectl's spellings: `deploy/nginx` or
// `deployment nginx`, limited to the kinds the command handles.
import { type Kind, kinds, resourceName } from '../api/index.js';
import { kindArg } from './kind-arg.js';

export function workloadArg<K extends Kind>(
  command: string,
  first: string,
  second: string | undefined,
  allowed: readonly K[],
): { kind: K; name: string } {
  const slash = first.indexOf('/');
  const [typedKind, name] = slash >= 0 ? [first.slice(0, slash), first.slice(slash + 1)] : [first, second];
  if (slash >= 0 && second !== undefined)
    throw new Error(`${command}: give KIND/NAME or KIND NAME, not both ("${first}" and "${second}")`);
  if (!name) throw new Error(`${command}: give the object as KIND/NAME or KIND NAME, e.g. deploy/nginx`);
  const kind = kindArg(command, typedKind);
  if (!(allowed as readonly Kind[]).includes(kind))
    throw new Error(
      `${command}: ${kinds[kind].plural} are not supported (only ${allowed.map((k) => resourceName(k)).join(', ')})`,
    );
  return { kind: kind as K, name };
}
