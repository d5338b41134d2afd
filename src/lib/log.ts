// A leveled logger with a component name. One record is one line,
// `<ISO timestamp> <level> <component>: <message>`, with the message exactly as given, so that
// `grep "initial sync done"` over an agent's log keeps working. The level comes from an option,
// else from WAGGLE_LOG_LEVEL (debug|info|warn|error), else info.
//
// Every level goes to stdout, warn and error too: the lab supervisor and log collectors
// (journald, container runtimes) capture stdout as the component's log, and one stream keeps
// records in the order they happened instead of interleaving two buffers.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The shape of the injected `log(msg)` callbacks modules take; `logger.info` is one. */
export type Log = (msg: string) => void;

export interface Logger {
  readonly component: string;
  readonly level: LogLevel;
  debug: Log;
  info: Log;
  warn: Log;
  error: Log;
  /** A logger for a part of this component, named `<component>/<sub>`, at the same level. */
  child(sub: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where WAGGLE_LOG_LEVEL is read from when no level is given (default process.env). */
  env?: Record<string, string | undefined>;
  /** Where finished lines go (default stdout); tests capture them. */
  write?: (line: string) => void;
  now?: () => Date;
}

export const LOG_LEVEL_ENV = 'WAGGLE_LOG_LEVEL';

/** Parses a level name; the error names where the value came from. */
export function parseLogLevel(text: string, source = LOG_LEVEL_ENV): LogLevel {
  const level = LOG_LEVELS.find((l) => l === text.trim().toLowerCase());
  if (!level) throw new Error(`${source} "${text}": not a log level (use ${LOG_LEVELS.join(', ')})`);
  return level;
}

export function createLogger(component: string, opts: LoggerOptions = {}): Logger {
  const env = opts.env ?? process.env;
  const fromEnv = env[LOG_LEVEL_ENV];
  const level = opts.level ?? (fromEnv === undefined || fromEnv === '' ? 'info' : parseLogLevel(fromEnv));
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const now = opts.now ?? (() => new Date());
  return build(component, level, write, now);
}

function build(component: string, level: LogLevel, write: (line: string) => void, now: () => Date): Logger {
  const min = LOG_LEVELS.indexOf(level);
  // Each method is a closure, not a prototype method, so `logger.info` can be passed around as a
  // `Log` without bind.
  const at =
    (l: LogLevel): Log =>
    (msg) => {
      if (LOG_LEVELS.indexOf(l) < min) return;
      // A newline inside a message would split one record over two lines; escaped, the record
      // stays one line and single-line messages (all of today's) come out byte for byte.
      write(`${now().toISOString()} ${l} ${component}: ${msg.replaceAll('\n', '\\n')}\n`);
    };
  return {
    component,
    level,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (sub) => build(`${component}/${sub}`, level, write, now),
  };
}

/**
 * A `Log` for code that still marks severity in the text: "warning: …" goes out at warn and
 * "error: …" at error, everything else at info; the message itself is never rewritten.
 */
export function asLog(logger: Logger): Log {
  return (msg) => {
    if (msg.startsWith('warning: ')) logger.warn(msg);
    else if (msg.startsWith('error: ')) logger.error(msg);
    else logger.info(msg);
  };
}
