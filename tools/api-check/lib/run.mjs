// Runs the checks over files: JSONL logs of exchanges and .graphql documents. Problems are
// collected in a Report that prints identical ones once, with a count, then a summary line.
import { readFileSync } from 'node:fs';
import { checkExchange, isGraphqlExchange } from './rest.mjs';

/** Input the check cannot read (exit 2, not a problem found). */
export class UsageError extends Error {}

/** Lines of a JSONL log as {where, entry}. */
export function readLog(file) {
  const out = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch (e) {
      throw new UsageError(`${file}:${i + 1}: not JSON (${e.message})`);
    }
    out.push({ where: `${file}:${i + 1}`, entry });
  });
  return out;
}

/** Collects problems; identical ones (same subject and message) are printed once with a count. */
export class Report {
  constructor() {
    this.groups = new Map();
    this.count = 0;
    this.places = new Set();
  }

  /** Exchanges or documents with at least one problem. */
  get items() {
    return this.places.size;
  }

  add(where, subject, message) {
    this.count++;
    this.places.add(where);
    const key = `${subject}\n${message}`;
    const g = this.groups.get(key);
    if (g) g.more++;
    else this.groups.set(key, { where, subject, message, more: 0 });
  }

  print(log) {
    for (const g of this.groups.values()) {
      const more = g.more ? ` (and ${g.more} more like it)` : '';
      log(`${g.where}: ${g.subject}: ${g.message}${more}`);
    }
  }
}

export function runRest(api, files, log = console.log, ignoredQuery = new Set()) {
  const report = new Report();
  const operations = new Set();
  let exchanges = 0;
  let graphql = 0;
  for (const file of files) {
    for (const { where, entry } of readLog(file)) {
      if (isGraphqlExchange(entry)) {
        graphql++;
        continue;
      }
      exchanges++;
      const { operation, problems } = checkExchange(api, entry, ignoredQuery);
      if (operation) operations.add(operation);
      const subject = `${entry.method} ${String(entry.path).split('?')[0]} -> ${entry.status}${operation ? ` (${operation})` : ''}`;
      for (const p of problems) report.add(where, operation ? `${operation} -> ${entry.status}` : subject, p);
    }
  }
  report.print(log);
  const left = graphql ? ` (${graphql} GraphQL requests left to \`api-check graphql\`)` : '';
  if (ignoredQuery.size) log(`rest: query parameters ${[...ignoredQuery].join(', ')} are test keys, ignored where undocumented`);
  log(`rest: ${exchanges} exchanges over ${operations.size} operations${left}, ${report.count} problems${report.count ? ` in ${report.items} exchanges` : ''}`);
  return { exchanges, operations: operations.size, problems: report.count };
}

/** Documents of the inputs: whole .graphql files, and each POST /graphql of a JSONL log. */
function graphqlDocuments(files) {
  const docs = [];
  for (const file of files) {
    if (/\.graphql$/.test(file)) {
      docs.push({ where: file, text: readFileSync(file, 'utf8') });
      continue;
    }
    for (const { where, entry } of readLog(file)) {
      if (!isGraphqlExchange(entry)) continue;
      const request = entry.request;
      if (!request || typeof request.query !== 'string') {
        docs.push({ where, text: null });
        continue;
      }
      const answered = entry.status === 200 ? entry.response : undefined;
      docs.push({ where, text: request.query, request, answer: answered === null ? undefined : answered });
    }
  }
  return docs;
}

export function runGraphql(checker, files, log = console.log) {
  const report = new Report();
  const docs = graphqlDocuments(files);
  let answers = 0;
  for (const d of docs) {
    if (d.text === null) {
      report.add(d.where, 'POST /graphql', 'the request has no `query` string');
      continue;
    }
    if (d.answer !== undefined) answers++;
    const name = /^\s*(?:query|mutation|subscription)\s+(\w+)/m.exec(d.text)?.[1] ?? 'anonymous operation';
    for (const p of checker.check(d.text, d.request, d.answer)) report.add(d.where, name, p);
  }
  report.print(log);
  const distinct = new Set(docs.map((d) => d.text)).size;
  log(`graphql: ${docs.length} documents (${distinct} distinct), ${answers} answers, ${report.count} problems${report.count ? ` in ${report.items} documents` : ''}`);
  return { documents: docs.length, answers, problems: report.count };
}
