// Reading one environment: every reader records a problem instead of throwing, so loadConfig can
// list them all at once, and falls back to its default so the other slices can still be read.

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** "90s", "30m", "24h", "7d" (or a bare number of seconds) in seconds; undefined when not one. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d{1,9})\s*([smhd]?)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] || 's']!;
}

/** One environment, its problems and its warnings, shared by every slice's reader. */
export class EnvReader {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed value; undefined when unset or blank. */
  str(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
      return fallback;
    }
    return n;
  }

  flag(name: string, fallback: boolean): boolean {
    const raw = this.str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['on', 'true', '1', 'yes'].includes(raw)) return true;
    if (['off', 'false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be "on" or "off", got "${this.str(name)}".`);
    return fallback;
  }

  /** An http(s) URL; undefined when unset or not one (a problem then). */
  httpUrl(name: string): string | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      return raw;
    } catch {
      this.problems.push(`${name} must be an http(s) URL, got "${raw}".`);
      return undefined;
    }
  }
}
