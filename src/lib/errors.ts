// Error text shared by every module: `errorMessage` for the `err instanceof Error ? … : String(err)`
// that catch blocks repeat, and `WaggleError`, the base for typed errors whose one-line message
// names the operation, the object and, when there is one, the field:
// `op object: field: message (hint)`, the shape BpfError established for the kernel side.

/** The message of an Error, or the value as text for anything else that was thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The first line of errorMessage: what a log line or a CLI error shows, never a stack trace. */
export function errorLine(err: unknown): string {
  const text = errorMessage(err);
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

export interface WaggleErrorInit<C extends string> {
  /** A stable machine-readable kind ("ETIMEDOUT", "NotFound", …) for callers that branch on it. */
  code: C;
  /** What was being done: "run", "parse", "encode". */
  op: string;
  /** What it was done to: a command line, a file, an object name. */
  object: string;
  field?: string | undefined;
  message: string;
  /** What to do about it, shown in parentheses. */
  hint?: string | undefined;
  cause?: unknown;
}

export class WaggleError<C extends string = string> extends Error {
  readonly code: C;
  readonly op: string;
  readonly object: string;
  readonly field: string | undefined;
  readonly hint: string | undefined;
  /** The message without op, object, field and hint. */
  readonly detail: string;

  constructor(init: WaggleErrorInit<C>) {
    super(formatError(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'WaggleError';
    this.code = init.code;
    this.op = init.op;
    this.object = init.object;
    this.field = init.field;
    this.hint = init.hint;
    this.detail = init.message;
  }
}

function formatError(init: WaggleErrorInit<string>): string {
  const field = init.field ? `${init.field}: ` : '';
  const hint = init.hint ? ` (${init.hint})` : '';
  return `${init.op} ${init.object}: ${field}${init.message}${hint}`;
}
