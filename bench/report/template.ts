// The report's prose lives in bench/report/templates/*.md; `{{name}}` is replaced by the value the
// section passes, and a name without a value is an error (so a renamed field cannot print blank).
import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

export function fill(name: string, values: Record<string, string | number>): string {
  const text = cache.get(name) ?? readFileSync(new URL(`./templates/${name}.md`, import.meta.url), 'utf8');
  cache.set(name, text);
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`Template ${name}.md uses {{${key}}}, which was not given.`);
    return String(v);
  });
}
