// GraphQL documents against GitHub's schema, with graphql-js (the reference implementation):
//   - the document: syntax and every validation rule of the specification (fields, arguments,
//     fragments, variables and their types);
//   - the variables a request sent, coerced to the types the operation declares;
//   - the answer's `data`, when there is one: that GitHub could have answered it, i.e. every
//     object has exactly the keys the query selects for its type (aliases, fragments, type
//     conditions), null only where the schema allows it, lists where it says list, and
//     scalars and enum values of the declared types. Every problem is reported, not only the
//     first (graphql-js's execute stops at the first null in a non-null field).

// GitHub's custom scalars are all serialized as strings; some have a documented form.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const SCALAR_FORMS = {
  DateTime: [DATE_TIME, 'an ISO-8601 date and time'],
  GitTimestamp: [DATE_TIME, 'an ISO-8601 date and time'],
  PreciseDateTime: [DATE_TIME, 'an ISO-8601 date and time'],
  Date: [/^\d{4}-\d{2}-\d{2}$/, 'an ISO-8601 date'],
  GitObjectID: [/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'a hex git object id'],
};

function scalarProblem(typeName, value) {
  switch (typeName) {
    case 'Int':
      return Number.isInteger(value) && Math.abs(value) <= 2147483647 ? null : 'must be a 32-bit integer';
    case 'Float':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'Boolean':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'URI':
      if (typeof value !== 'string') return 'must be a string';
      return URL.canParse(value) ? null : 'must be an absolute URI';
    default: {
      if (typeof value !== 'string') return 'must be a string';
      const form = SCALAR_FORMS[typeName];
      return form && !form[0].test(value) ? `must be ${form[1]}` : null;
    }
  }
}

export class GraphqlChecker {
  constructor(sdl, graphql) {
    this.g = graphql;
    this.schema = graphql.buildSchema(sdl, { assumeValidSDL: true });
    this.validated = new Map();
  }

  /** Parse and validation errors of a document (memoised by its text). */
  documentProblems(text) {
    let hit = this.validated.get(text);
    if (!hit) {
      const { parse, validate } = this.g;
      try {
        const doc = parse(text);
        hit = { doc, problems: validate(this.schema, doc).map((e) => this.#where(e) + e.message) };
      } catch (e) {
        hit = { doc: null, problems: [`syntax: ${e.message}`] };
      }
      this.validated.set(text, hit);
    }
    return hit;
  }

  #where(e) {
    const loc = e.locations?.[0];
    return loc ? `${loc.line}:${loc.column}: ` : '';
  }

  /**
   * Checks one document; with `request` (the logged JSON body) also its variables, and with
   * `answer` (the logged JSON answer of a 200) the answer's data. Returns problem strings.
   */
  check(text, request, answer) {
    const { doc, problems } = this.documentProblems(text);
    if (!doc || problems.length) return problems;
    const operationName = request?.operationName ?? undefined;
    const op = this.g.getOperationAST(doc, operationName);
    if (!op) return [`no operation${operationName ? ` named ${operationName}` : ''} to run in the document`];
    const out = [];
    let variables;
    if (request) {
      variables = request.variables ?? {};
      if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
        return ['variables must be a JSON object'];
      }
      const coerced = this.g.getVariableValues(this.schema, op.variableDefinitions ?? [], variables, { maxErrors: 20 });
      for (const e of coerced.errors ?? []) out.push(`variables: ${e.message}`);
      if (out.length) return out;
    }
    if (answer !== undefined) out.push(...this.#answerProblems(doc, op, answer));
    return out;
  }

  #answerProblems(doc, op, answer) {
    if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return ['the answer is not a JSON object'];
    const out = [];
    if ('errors' in answer) {
      const ok = Array.isArray(answer.errors) && answer.errors.every((e) => e && typeof e.message === 'string');
      if (!ok) out.push('answer: `errors` must be a list of objects with a `message`');
    }
    if (!('data' in answer) && !('errors' in answer)) out.push('answer: has neither `data` nor `errors`');
    if (answer.data === null || answer.data === undefined) return out;
    const fragments = Object.create(null);
    for (const d of doc.definitions) if (d.kind === 'FragmentDefinition') fragments[d.name.value] = d;
    const root = this.schema.getRootType(op.operation);
    this.#checkObject(answer.data, root, [op.selectionSet], fragments, 'data', out);
    return out;
  }

  /** One value of the answer against the field type `type` (non-null, list, leaf, object). */
  #checkValue(value, type, selectionSets, fragments, where, out) {
    const g = this.g;
    if (g.isNonNullType(type)) {
      if (value === null || value === undefined) {
        out.push(`${where}: null, but the schema says ${type} (non-null)`);
        return;
      }
      this.#checkValue(value, type.ofType, selectionSets, fragments, where, out);
      return;
    }
    if (value === null || value === undefined) return;
    if (g.isListType(type)) {
      if (!Array.isArray(value)) out.push(`${where}: must be a list (${type}), got ${JSON.stringify(value)}`);
      else value.forEach((v, i) => this.#checkValue(v, type.ofType, selectionSets, fragments, `${where}.${i}`, out));
      return;
    }
    if (g.isScalarType(type)) {
      const why = scalarProblem(type.name, value);
      if (why) out.push(`${where}: ${why} (${type.name}), got ${JSON.stringify(value)}`);
      return;
    }
    if (g.isEnumType(type)) {
      if (typeof value !== 'string' || !type.getValue(value)) {
        out.push(`${where}: ${JSON.stringify(value)} is not a value of enum ${type.name}`);
      }
      return;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.push(`${where}: must be an object (${type.name}), got ${JSON.stringify(value)}`);
      return;
    }
    const concrete = g.isAbstractType(type) ? this.#runtimeType(value, type, selectionSets, fragments, where, out) : type;
    if (concrete) this.#checkObject(value, concrete, selectionSets, fragments, where, out);
  }

  /** An object of concrete type `type`: exactly the selected keys, each value of its field's type. */
  #checkObject(obj, type, selectionSets, fragments, where, out) {
    const fields = this.#collect(type, selectionSets, fragments);
    const extra = Object.keys(obj).filter((k) => !fields.has(k));
    if (extra.length) out.push(`${where}: ${extra.map((k) => `\`${k}\``).join(', ')} not selected by the query (for ${type.name})`);
    for (const [key, { nodes, conditional }] of fields) {
      const at = `${where}.${key}`;
      if (!Object.prototype.hasOwnProperty.call(obj, key)) {
        if (!conditional) out.push(`${at}: missing; the query selects it`);
        continue;
      }
      const name = nodes[0].name.value;
      if (name === '__typename') {
        if (obj[key] !== type.name) out.push(`${at}: ${JSON.stringify(obj[key])}, but the object is a ${type.name}`);
        continue;
      }
      const def = type.getFields()[name];
      if (!def) continue; // the document's validation already reports an unknown field
      const sub = nodes.map((n) => n.selectionSet).filter(Boolean);
      this.#checkValue(obj[key], def.type, sub, fragments, at, out);
    }
  }

  /**
   * The fields a selection gives an object of concrete `type`, by response key (alias or
   * name): their field nodes, and whether they are conditional (@skip/@include: may be absent).
   */
  #collect(type, selectionSets, fragments) {
    const fields = new Map();
    const visit = (set, conditional) => {
      for (const sel of set.selections) {
        const cond = conditional || (sel.directives ?? []).some((d) => d.name.value === 'skip' || d.name.value === 'include');
        if (sel.kind === 'Field') {
          const key = sel.alias?.value ?? sel.name.value;
          const f = fields.get(key) ?? { nodes: [], conditional: true };
          f.nodes.push(sel);
          f.conditional = f.conditional && cond;
          fields.set(key, f);
        } else if (sel.kind === 'InlineFragment') {
          if (!sel.typeCondition || this.#applies(sel.typeCondition.name.value, type)) visit(sel.selectionSet, cond);
        } else if (sel.kind === 'FragmentSpread') {
          const f = fragments[sel.name.value];
          if (f && this.#applies(f.typeCondition.name.value, type)) visit(f.selectionSet, cond);
        }
      }
    };
    for (const s of selectionSets) visit(s, false);
    return fields;
  }

  #applies(conditionName, type) {
    const cond = this.schema.getType(conditionName);
    if (!cond) return false;
    if (cond === type) return true;
    return this.g.isAbstractType(cond) && this.schema.isSubType(cond, type);
  }

  /**
   * The concrete type of an interface or union value: its `__typename` when the query asked
   * for it, otherwise the one possible type whose selection gives exactly the value's keys
   * (`object(expression:) { ... on Blob { text } }` answers `{}` for a tree, `{text}` for a blob).
   */
  #runtimeType(value, abstractType, selectionSets, fragments, where, out) {
    const possible = this.schema.getPossibleTypes(abstractType);
    if (typeof value.__typename === 'string') {
      const named = possible.find((t) => t.name === value.__typename);
      if (!named) out.push(`${where}: __typename ${JSON.stringify(value.__typename)} is not a type of ${abstractType.name}`);
      return named;
    }
    const have = Object.keys(value);
    const fits = possible.find((t) => {
      const fields = this.#collect(t, selectionSets, fragments);
      return have.every((k) => fields.has(k)) && [...fields].every(([k, f]) => f.conditional || have.includes(k));
    });
    if (!fits) out.push(`${where}: keys ${JSON.stringify(have)} fit no type of ${abstractType.name} the query selects`);
    return fits;
  }
}
