// GitHub's OpenAPI 3.0 description as something to check against: operations found by method
// and concrete path, `$ref`s resolved, and schemas turned into JSON Schema validators.
//
// OpenAPI 3.0 schemas are not quite JSON Schema: `nullable: true` allows null (plain JSON
// Schema has no such keyword), and a `$ref` ignores the keywords beside it. toJsonSchema
// rewrites a schema into JSON Schema (draft-07, what Ajv reads) with those rules; everything
// else (allOf/oneOf/anyOf, enum, required, formats, bounds) means the same in both.

const SPEC_ID = 'https://api.github.com/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// Formats Ajv checks (ajv-formats). GitHub's description also names `repo.nwo`, `binary` and
// `timestamp`, which no validator defines: those are accepted as they are.
const CHECKED_FORMATS = ['date-time', 'date', 'uri', 'uri-template', 'email', 'int32', 'int64', 'double'];
const ANNOTATION_FORMATS = ['repo.nwo', 'binary', 'timestamp'];
// OpenAPI-only keywords that JSON Schema validation does not use.
const DROPPED = new Set(['nullable', 'discriminator', 'example', 'examples', 'xml', 'externalDocs', 'deprecated']);

/** JSON pointer (`#/components/schemas/x`) into `doc`. */
function pointer(doc, ref) {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref} (only local references)`);
  let node = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) {
      throw new Error(`$ref ${ref} does not resolve in the description`);
    }
    node = node[key];
  }
  return node;
}

function mapValues(obj, f) {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, f(v)]));
}

/** An OpenAPI 3.0 schema object as JSON Schema; local `$ref`s point into the description. */
export function toJsonSchema(schema) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  if (typeof schema.$ref === 'string') {
    // OpenAPI 3.0: a reference object's siblings are ignored.
    return { $ref: SPEC_ID + schema.$ref };
  }
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key.startsWith('x-')) continue;
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = mapValues(value, toJsonSchema);
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = toJsonSchema(value);
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      out[key] = value.map(toJsonSchema);
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [{ type: 'null' }, out] };
    }
  }
  return out;
}

/** Splits a concrete path into segments; GitHub Enterprise Server's `/api/v3` prefix goes. */
function segmentsOf(path) {
  const bare = path.startsWith('/api/v3/') ? path.slice('/api/v3'.length) : path;
  return bare.split('/').slice(1);
}

function decode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Matches template segments `t[i..]` against concrete segments `s[j..]`; a `multi` parameter
 * may take one or more segments. Returns {values, spanning} or null.
 */
function matchSegments(t, i, s, j, values, spanning) {
  if (i === t.length) return j === s.length ? { values, spanning } : null;
  if (j >= s.length) return null;
  const seg = t[i];
  if (seg.literal !== undefined) {
    return s[j] === seg.literal ? matchSegments(t, i + 1, s, j + 1, values, spanning) : null;
  }
  const most = seg.multi ? s.length - (t.length - i - 1) : j + 1;
  for (let end = j + 1; end <= most; end++) {
    const taken = s.slice(j, end);
    if (taken.some((x) => x === '')) break;
    const found = matchSegments(t, i + 1, s, end, { ...values, [seg.param]: taken.map(decode).join('/') }, spanning || end > j + 1);
    if (found) return found;
  }
  return null;
}

export class OpenApi {
  constructor(spec, { Ajv, addFormats }) {
    this.spec = spec;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, addUsedSchema: false });
    addFormats(this.ajv, CHECKED_FORMATS);
    for (const f of ANNOTATION_FORMATS) this.ajv.addFormat(f, true);
    this.ajv.addSchema({ $id: SPEC_ID, components: { schemas: mapValues(spec.components.schemas, toJsonSchema) } });
    this.validators = new WeakMap();
    this.routes = [];
    for (const [template, item] of Object.entries(spec.paths)) {
      const segs = template.split('/').slice(1).map((s) => {
        const m = /^\{([^}]+)\}$/.exec(s);
        return m ? { param: m[1] } : { literal: s };
      });
      for (const method of METHODS) {
        if (!item[method]) continue;
        const route = { method: method.toUpperCase(), template, item, op: item[method] };
        const multi = new Set(this.parameters(route).filter((p) => p.in === 'path' && p['x-multi-segment']).map((p) => p.name));
        route.segs = segs.map((s) => (s.param !== undefined && multi.has(s.param) ? { ...s, multi: true } : s));
        this.routes.push(route);
      }
    }
  }

  /** Follows `$ref`s (parameters, responses, request bodies) to the object they name. */
  resolve(obj) {
    let node = obj;
    for (let hops = 0; node && typeof node.$ref === 'string'; hops++) {
      if (hops > 10) throw new Error(`$ref loop at ${obj.$ref}`);
      node = pointer(this.spec, node.$ref);
    }
    return node;
  }

  /**
   * The route for `method` and the concrete `path` (no query), with its path parameters; or
   * null, with the methods the path has when only the method is wrong.
   * A path parameter spans one segment, except one GitHub marks `x-multi-segment` (a git ref
   * such as `heads/feature/x`, a branch, a `base...head` of compare, a content path), which
   * may span several; a route that needs that is used only when no route of that method
   * matches segment by segment. Among several matches the one with literal segments earliest
   * wins (`/pulls/comments` before `/pulls/{pull_number}`).
   */
  route(method, path) {
    const segs = segmentsOf(path);
    const matches = [];
    for (const r of this.routes) {
      const params = matchSegments(r.segs, 0, segs, 0, {}, false);
      if (params) matches.push({ r, params });
    }
    const byMethod = matches.filter((m) => m.r.method === method);
    if (byMethod.length === 0) {
      return { route: null, methods: [...new Set(matches.map((m) => m.r.method))].sort() };
    }
    const rank = (m) => m.r.segs.map((s) => (s.literal !== undefined ? '1' : '0')).join('');
    const exact = byMethod.filter((m) => !m.params.spanning);
    const pool = exact.length ? exact : byMethod;
    pool.sort((a, b) => (rank(a) < rank(b) ? 1 : rank(a) > rank(b) ? -1 : 0));
    return { route: pool[0].r, pathParams: pool[0].params.values };
  }

  /** The operation's parameters (path item's and its own, the latter winning), resolved. */
  parameters(route) {
    const byKey = new Map();
    for (const p of [...(route.item.parameters ?? []), ...(route.op.parameters ?? [])]) {
      const resolved = this.resolve(p);
      byKey.set(`${resolved.in}:${resolved.name}`, resolved);
    }
    return [...byKey.values()];
  }

  /** A validator for an OpenAPI schema object (compiled once per object). */
  validator(schema) {
    let v = this.validators.get(schema);
    if (!v) {
      v = this.ajv.compile(toJsonSchema(schema));
      this.validators.set(schema, v);
    }
    return v;
  }
}

/** The JSON media type's schema of a content map (`application/json`, or any `…json`). */
export function jsonSchemaOf(content) {
  if (!content) return undefined;
  const type = content['application/json'] ? 'application/json' : Object.keys(content).find((t) => /json/.test(t));
  return type ? { type, schema: content[type].schema } : undefined;
}
