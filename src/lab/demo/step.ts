// A demo step: a name, what it runs, and a check. A failed check stops the demo with the step's
// name and what was expected, so `make demo` fails loudly where the story breaks.
export class StepFailed extends Error {
  constructor(
    readonly step: string,
    detail: string,
  ) {
    super(`demo step "${step}" failed: ${detail}`);
    this.name = 'StepFailed';
  }
}

export interface DemoContext {
  say(line: string): void;
  /** Figures measured in this run, printed at the end. */
  figures: Array<{ name: string; value: string }>;
  /** Facts found by earlier steps (the service holding 10.0.10.0, the lease holder, …). */
  facts: Map<string, string>;
  /** The current step's name, for checks. */
  step: string;
}

export interface Step {
  name: string;
  run(ctx: DemoContext): Promise<void>;
}

/** Fails the current step unless `cond` holds. */
export function check(ctx: DemoContext, cond: boolean, expected: string): asserts cond {
  if (!cond) throw new StepFailed(ctx.step, expected);
  ctx.say(`   ✓ ${expected}`);
}

export function fact(ctx: DemoContext, key: string): string {
  const v = ctx.facts.get(key);
  if (v === undefined) throw new StepFailed(ctx.step, `needs "${key}" from an earlier step`);
  return v;
}
