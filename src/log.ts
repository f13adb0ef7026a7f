// Structured logs through pino: one JSON line per event on stdout (level names, ISO time), or
// pino-pretty's readable lines in a local terminal. Callers keep a small interface of their own,
// message first and fields second, so nothing outside this file depends on pino.
import { createRequire } from 'node:module';
import { pino, stdTimeFunctions, type DestinationStream } from 'pino';
import type { LogLevel } from './config.js';

export interface Logger {
  /** false: the per-request line is dropped (LOG_REQUESTS=off), so callers need not build it. */
  readonly requests?: boolean;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  silent?: boolean;
  /** false drops the per-request line (LOG_REQUESTS=off) and keeps the rest. */
  requests?: boolean;
  level?: LogLevel;
  /** Human-readable output (pino-pretty), for a terminal. */
  pretty?: boolean;
  /** Where lines go instead of stdout (tests). */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.silent ? 'silent' : (opts.level ?? 'info');
  const stream = opts.destination ?? (opts.pretty ? prettyStream() : undefined);
  const base = pino(
    { level, timestamp: stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    stream ?? pino.destination({ dest: 1, sync: true }),
  );
  const write = (lvl: 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => {
    if (msg === 'request' && opts.requests === false) return;
    if (fields) base[lvl](fields, msg);
    else base[lvl](msg);
  };
  return { requests: opts.requests !== false, info: write('info'), warn: write('warn'), error: write('error') };
}

// Loaded on demand: production (JSON) never loads pino-pretty, and the Lambda bundle leaves it out.
function prettyStream(): DestinationStream {
  const load = createRequire(import.meta.url);
  const pretty = load('pino-pretty') as (o: object) => DestinationStream;
  return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
