// ProjectionExpression for the stub DynamoDB (stub-dynamo.ts), as DynamoDB applies it: a read that
// names attributes gets only those back (capacity is still charged on the whole item), every
// `#name` placeholder must be defined, and every defined one must be used by some expression of the
// request. Without this the stub would send whole items to a server that asked for two attributes,
// and the server would pay for bytes DynamoDB never sends it.
// Top-level attributes only: a nested path (`a.b`, `a[0]`) is refused, so a server that starts
// using one finds out here instead of being measured against the wrong answer.

type AV = Record<string, unknown>;

export class Validation extends Error {}

/** An item as the stub holds it: marshalled once, its projections memoised by attribute list. */
export interface Projectable {
  av: AV;
  json: string;
  projected?: Map<string, string>;
}

/** The expressions of one read (a GetItem or Query request, or one table's entry of a BatchGetItem). */
export interface ReadRequest {
  ProjectionExpression?: unknown;
  KeyConditionExpression?: unknown;
  FilterExpression?: unknown;
  ExpressionAttributeNames?: unknown;
}

const PLACEHOLDER = /#[A-Za-z0-9_]+/g;

/** DynamoDB's checks on ExpressionAttributeNames: none undefined, none unused. */
function checkNames(req: ReadRequest): Record<string, string> {
  const names = (req.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const used = new Set<string>();
  for (const expr of [req.ProjectionExpression, req.KeyConditionExpression, req.FilterExpression]) {
    if (typeof expr !== 'string') continue;
    for (const m of expr.match(PLACEHOLDER) ?? []) {
      if (!(m in names))
        throw new Validation(`An expression attribute name used in the document path is not defined; attribute name: ${m}`);
      used.add(m);
    }
  }
  const unused = Object.keys(names).filter((n) => !used.has(n));
  if (unused.length) throw new Validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unused.join(', ')}}`);
  return names;
}

/** The attributes a request projects, in order and without repeats, or undefined for whole items. */
export function projectedAttributes(req: ReadRequest): string[] | undefined {
  const names = checkNames(req);
  if (req.ProjectionExpression === undefined) return undefined;
  const expr = String(req.ProjectionExpression);
  const out = new Set<string>();
  for (const raw of expr.split(',')) {
    const path = raw.trim();
    if (!/^#?[A-Za-z0-9_]+$/.test(path)) {
      if (path === '') throw new Validation(`Invalid ProjectionExpression: Syntax error; token: ",", near: "${expr}"`);
      throw new Validation(`The stub projects top-level attributes only, not ${path}`);
    }
    out.add(path.startsWith('#') ? names[path]! : path);
  }
  return [...out];
}

/** The item in DynamoDB JSON with only `attributes` (all of it when undefined), memoised per attribute list. */
export function projectedJson(s: Projectable, attributes: string[] | undefined): string {
  if (!attributes) return s.json;
  const key = attributes.join('\u0000');
  const memo = s.projected ?? (s.projected = new Map());
  let json = memo.get(key);
  if (json === undefined) {
    const picked: AV = {};
    for (const a of attributes) if (a in s.av) picked[a] = s.av[a];
    json = JSON.stringify(picked);
    memo.set(key, json);
  }
  return json;
}
