// Typed errors for everything that crosses into the kernel. A BpfError names the operation, the
// object it was applied to (map, program, device, path) and, where we can tell, what to do.
import { constants } from 'node:os';
import { errorLine } from '../lib/errors.js';

/** Kernel errno values by name (ENOENT, EEXIST, …), for comparing libbpf's negative returns. */
export const Errno = constants.errno;

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, num]) => [num, name]));

export function errnoName(errno: number): string {
  return errnoNames.get(Math.abs(errno)) ?? `errno ${Math.abs(errno)}`;
}

export type BpfErrorCode =
  | 'EPERM'
  | 'ENOENT'
  | 'EEXIST'
  | 'E2BIG'
  | 'ENOSPC'
  | 'EINVAL'
  | 'ENODEV'
  | 'EOPNOTSUPP'
  | 'ESIZE'
  | 'ELAYOUT'
  | 'EOTHER';

export interface BpfErrorInit {
  op: string;
  object: string;
  errno?: number;
  code?: BpfErrorCode;
  message?: string;
  hint?: string;
}

export class BpfError extends Error {
  readonly op: string;
  readonly object: string;
  readonly errno: number;
  readonly code: BpfErrorCode;
  readonly hint: string | undefined;

  constructor(init: BpfErrorInit) {
    const errno = Math.abs(init.errno ?? 0);
    const name = errno ? errnoName(errno) : undefined;
    const code = init.code ?? codeOf(name);
    // Missing privileges explain every other symptom, so their hint wins over a caller's.
    const permission = name === 'EPERM' || name === 'EACCES';
    const hint = permission ? defaultHint(init.op, name) : (init.hint ?? defaultHint(init.op, name));
    const detail = init.message ?? (name ? describe(name) : 'failed');
    super(`${init.op} ${init.object}: ${detail}${hint ? ` (${hint})` : ''}`);
    this.name = 'BpfError';
    this.op = init.op;
    this.object = init.object;
    this.errno = errno;
    this.code = code;
    this.hint = hint;
  }
}

function codeOf(name: string | undefined): BpfErrorCode {
  switch (name) {
    case 'EPERM':
    case 'EACCES':
      return 'EPERM';
    case 'ENOENT':
    case 'EEXIST':
    case 'E2BIG':
    case 'ENOSPC':
    case 'EINVAL':
    case 'ENODEV':
    case 'EOPNOTSUPP':
      return name;
    case 'ENOTSUP':
      return 'EOPNOTSUPP';
    default:
      return 'EOTHER';
  }
}

function describe(name: string): string {
  const text: Record<string, string> = {
    EPERM: 'operation not permitted',
    EACCES: 'permission denied',
    ENOENT: 'not found',
    EEXIST: 'already exists',
    E2BIG: 'map is full',
    ENOSPC: 'no space left',
    EINVAL: 'invalid argument',
    ENODEV: 'no such device',
    EOPNOTSUPP: 'not supported by this kernel',
    EBUSY: 'busy',
  };
  return `${text[name] ?? 'failed'} [${name}]`;
}

function defaultHint(op: string, name: string | undefined): string | undefined {
  if (name === 'EPERM' || name === 'EACCES') {
    return 'are you root, or do you have CAP_BPF and CAP_NET_ADMIN?';
  }
  if (name === 'ENOENT' && /pin|obj_get/.test(op)) return 'is bpffs mounted there, and is the agent running?';
  if (name === 'ENODEV') return 'does the interface exist in this network namespace?';
  if (name === 'E2BIG') return 'the map has reached max_entries';
  return undefined;
}

/** Throws a BpfError when a libbpf int result is negative. Returns the result otherwise. */
export function check(ret: number, op: string, object: string, hint?: string): number {
  if (ret < 0) throw new BpfError({ op, object, errno: -ret, ...(hint ? { hint } : {}) });
  return ret;
}

/** One line for a user: the message of a BpfError, or of any Error, never a stack trace. */
export const oneLine = errorLine;
