// One logged REST exchange against GitHub's OpenAPI description: the route (method and path
// template), the path and query parameters, the status code, the request body and the
// response body for that status.
import { jsonSchemaOf } from './openapi.mjs';

const MAX_SCHEMA_ERRORS = 12;

/** Is this exchange a GraphQL request (left to the GraphQL check)? */
export function isGraphqlExchange(entry) {
  const path = String(entry.path ?? '').split('?')[0];
  return entry.method === 'POST' && (path === '/graphql' || path === '/api/graphql');
}

/** Ajv's errors as short lines: `where/instance/path: message (detail)`. */
export function describeErrors(where, errors) {
  const lines = [];
  const seen = new Set();
  for (const e of errors ?? []) {
    let detail = '';
    if (e.keyword === 'enum') detail = ` (allowed: ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
    else if (e.keyword === 'required') detail = '';
    else if (e.keyword === 'additionalProperties') detail = ` (${e.params.additionalProperty})`;
    const line = `${where}${e.instancePath}: ${e.message}${detail}`;
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  }
  if (lines.length > MAX_SCHEMA_ERRORS) {
    const more = lines.length - MAX_SCHEMA_ERRORS;
    return [...lines.slice(0, MAX_SCHEMA_ERRORS), `${where}: … and ${more} more schema error(s)`];
  }
  return lines;
}

/** A query or path value (always a string on the wire) as the type its schema names. */
function coerce(raw, schema) {
  const type = schema?.type;
  if (type === 'integer' || type === 'number') {
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (type === 'array') return raw.split(',').map((item) => coerce(item, schema.items));
  return raw;
}

function checkValue(api, where, raw, param) {
  if (!param.schema) return [];
  const schema = api.resolve(param.schema);
  const v = api.validator(schema);
  return v(coerce(raw, schema)) ? [] : describeErrors(where, v.errors);
}

function checkParameters(api, route, pathParams, query, ignoredQuery) {
  const problems = [];
  const params = api.parameters(route);
  for (const p of params.filter((p) => p.in === 'path')) {
    if (pathParams[p.name] === undefined) continue;
    problems.push(...checkValue(api, `path parameter ${p.name}`, pathParams[p.name], p));
  }
  const documented = new Map(params.filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const [name, value] of query) {
    if (ignoredQuery.has(name) && !documented.has(name)) continue;
    const p = documented.get(name);
    if (!p) {
      const known = [...documented.keys()].join(', ') || 'none';
      problems.push(`query parameter \`${name}\` is not documented for this operation (documented: ${known})`);
      continue;
    }
    problems.push(...checkValue(api, `query parameter ${name}`, value, p));
  }
  for (const p of documented.values()) {
    if (p.required && !query.has(p.name)) problems.push(`required query parameter \`${p.name}\` is missing`);
  }
  return problems;
}

function checkRequestBody(api, route, body) {
  const declared = route.op.requestBody ? api.resolve(route.op.requestBody) : undefined;
  if (body === null || body === undefined) {
    return declared?.required ? ['the operation requires a request body; none was sent'] : [];
  }
  if (!declared) return ['a request body was sent; the operation takes none'];
  const media = jsonSchemaOf(declared.content);
  if (!media) return [`a JSON request body was sent; the operation takes ${Object.keys(declared.content ?? {}).join(', ')}`];
  if (!media.schema) return [];
  const v = api.validator(media.schema);
  return v(body) ? [] : describeErrors('request', v.errors);
}

function documentedResponse(route, status) {
  const responses = route.op.responses ?? {};
  return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
}

function checkResponse(api, route, status, body) {
  const raw = documentedResponse(route, status);
  if (!raw) {
    const known = Object.keys(route.op.responses ?? {}).join(', ');
    return [`status ${status} is not documented for this operation (documented: ${known})`];
  }
  const response = api.resolve(raw);
  const media = jsonSchemaOf(response.content);
  if (!media && status >= 400 && body !== null && body !== undefined) {
    // GitHub answers every error with a JSON body (message, documentation_url); where the
    // description lists an error status without a body (merge-upstream's 409 and 422, for
    // one), the body is checked against GitHub's generic error shape.
    const v = api.validator(api.spec.components.schemas['basic-error']);
    return v(body) ? [] : describeErrors(`response (as basic-error)`, v.errors);
  }
  if (!media) {
    return body === null || body === undefined ? [] : [`status ${status} documents no JSON body; one was answered`];
  }
  if (body === null || body === undefined) return [`status ${status} documents a JSON body (${media.type}); none was answered`];
  if (!media.schema) return [];
  const v = api.validator(media.schema);
  return v(body) ? [] : describeErrors('response', v.errors);
}

/**
 * Checks one exchange `{method, path, status, request, response}`. Returns the operation it
 * was matched to (`METHOD /template`, or null) and the problems found (strings).
 * `ignoredQuery`: names of query parameters a test adds on purpose (the sandbox's tests use
 * `?i=` and `?k=` to give requests distinct fault keys); they pass only where the operation
 * does not document a parameter of that name. GitHub ignores unknown query parameters.
 */
export function checkExchange(api, entry, ignoredQuery = new Set()) {
  const method = String(entry.method ?? '').toUpperCase();
  const [path, queryString = ''] = String(entry.path ?? '').split(/\?(.*)/s);
  if (!method || !path.startsWith('/')) {
    return { operation: null, problems: ['not an exchange: needs "method" and a "path" starting with /'] };
  }
  if (!Number.isInteger(entry.status) || entry.status < 100) {
    return {
      operation: null,
      problems: [`status ${JSON.stringify(entry.status)} is not an HTTP answer (a dropped connection?); set provoked faults aside with tests/sandbox/documented-exchanges.py`],
    };
  }
  const found = api.route(method, path);
  if (!found.route) {
    const why = found.methods.length
      ? `${method} is not documented for this path (documented: ${found.methods.join(', ')})`
      : 'no operation in the description has this path';
    return { operation: null, problems: [why] };
  }
  const { route } = found;
  const operation = `${route.method} ${route.template}`;
  const problems = [
    ...checkParameters(api, route, found.pathParams, new URLSearchParams(queryString), ignoredQuery),
    ...checkRequestBody(api, route, entry.request),
    ...checkResponse(api, route, entry.status, entry.response),
  ];
  return { operation, problems };
}
