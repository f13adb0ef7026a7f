// A strict reader of the Prometheus text exposition format (version 0.0.4): every sample line
// must parse and belong to a family declared by # HELP and # TYPE, or it throws.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** Sum of the samples named `name` whose labels include `labels`. */
  sum(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) helps.add(line.split(' ')[2]!);
    else if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type!)) throw new Error(`line ${i + 1}: bad type ${type}`);
      types.set(name!, type!);
    } else if (line.startsWith('#')) continue;
    else {
      const m = SAMPLE.exec(line);
      if (!m) throw new Error(`line ${i + 1} is not a sample: ${line}`);
      const [, name, rawLabels, rawValue] = m;
      const labels: Record<string, string> = {};
      if (rawLabels) {
        LABEL.lastIndex = 0;
        let consumed = 0;
        for (let l = LABEL.exec(rawLabels); l; l = LABEL.exec(rawLabels)) {
          labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
          consumed = LABEL.lastIndex;
        }
        if (consumed !== rawLabels.length) throw new Error(`line ${i + 1}: bad labels ${rawLabels}`);
      }
      const value = rawValue === '+Inf' ? Infinity : rawValue === '-Inf' ? -Infinity : Number(rawValue);
      // Prometheus parses floats with Go's ParseFloat, which takes NaN in any case; prom-client
      // writes an event-loop gauge with no samples yet as `Nan`.
      if (Number.isNaN(value) && rawValue!.toLowerCase() !== 'nan') throw new Error(`line ${i + 1}: bad value ${rawValue}`);
      const family = types.has(name!) ? name! : name!.replace(/_(bucket|sum|count)$/, '');
      if (!types.has(family) || !helps.has(family)) throw new Error(`line ${i + 1}: ${name} has no # HELP and # TYPE`);
      samples.push({ name: name!, labels, value });
    }
  }
  return {
    types,
    samples,
    sum: (name, want = {}) =>
      samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0),
  };
}
