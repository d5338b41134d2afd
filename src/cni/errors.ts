// A CNI failure as a value: the spec's error object `{cniVersion, code, msg, details}` (CNI spec,
// section 5 "Error"), printed on stdout with a non-zero exit code. `msg` is one line naming the
// field or variable; `details` carries the hint when there is one.
import { CniCode } from '../api/cni-protocol.js';

export class CniError extends Error {
  readonly code: number;
  readonly details: string | undefined;
  constructor(code: number, msg: string, details?: string) {
    super(msg);
    this.name = 'CniError';
    this.code = code;
    this.details = details;
  }
}

export interface CniErrorObject {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

export function errorObject(err: unknown, cniVersion: string): CniErrorObject {
  if (err instanceof CniError) {
    const out: CniErrorObject = { cniVersion, code: err.code, msg: err.message };
    if (err.details !== undefined) out.details = err.details;
    return out;
  }
  // A bug in the plugin, not a condition it knows: still a spec-shaped answer, never a stack.
  const text = err instanceof Error ? err.message : String(err);
  return { cniVersion, code: CniCode.IoFailure, msg: `waggle-cni: ${text.split('\n')[0]}` };
}

export const invalidEnv = (name: string, why: string) =>
  new CniError(CniCode.InvalidEnvironment, `${name}: ${why}`);
export const invalidConfig = (field: string, why: string) =>
  new CniError(CniCode.InvalidNetworkConfig, `network config: ${field}: ${why}`);
