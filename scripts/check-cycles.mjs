// Fails when modules under src/ import each other in a cycle, type-only imports included: a cycle
// means two files can only be understood together. Reads the relative imports with a regular
// expression (the code is Prettier-formatted, so every import ends in `from '...'`), no dependency.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve('src');
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
};
walk(root);

const known = new Set(files);
const edges = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s+'(\.[^']+)'/g)]
    .map((m) => resolve(dirname(file), m[1]).replace(/\.js$/, '.ts'))
    .filter((t) => known.has(t));
  edges.set(file, [...new Set(targets)]);
}

// Tarjan's strongly connected components: any component of more than one file is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
const connect = (v) => {
  const s = { index, low: index, onStack: true };
  index++;
  state.set(v, s);
  stack.push(v);
  for (const w of edges.get(v)) {
    const t = state.get(w);
    if (!t) {
      connect(w);
      s.low = Math.min(s.low, state.get(w).low);
    } else if (t.onStack) s.low = Math.min(s.low, t.index);
  }
  if (s.low === s.index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v).includes(v)) cycles.push(component);
  }
};
for (const f of files) if (!state.has(f)) connect(f);

if (cycles.length) {
  for (const c of cycles) console.error(`Import cycle: ${c.map((f) => relative(process.cwd(), f)).join(' <-> ')}`);
  process.exit(1);
}
console.log(`No import cycles among ${files.length} modules in src/.`);
