// Proves the check can fail: every known-bad exchange and document of ../selftest/*.json must
// be flagged with the expected problem(s) (`expect`: a regular expression, or a list of them), and every known-good one must pass (so a checker that
// flags everything fails too). Most bad cases are a good case with one thing broken. The same
// cases then go through the file path (runRest / runGraphql over JSONL logs and a .graphql
// file), which must count the problems and find none in the good ones.
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkExchange } from './rest.mjs';
import { runRest, runGraphql } from './run.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (name) => JSON.parse(readFileSync(path.join(here, '..', 'selftest', name), 'utf8'));

function graphqlCase(checker, c) {
  const request = c.variables === undefined ? undefined : { query: c.document, variables: c.variables };
  return checker.check(c.document, request, c.answer);
}

/** Each case: good ones must give no problem, bad ones a problem matching `expect`. */
function judge(kind, cases, run, failures) {
  let passed = 0;
  let flagged = 0;
  for (const c of cases.good) {
    const problems = run(c);
    if (problems.length) failures.push(`${kind} good case "${c.case}" was flagged: ${problems.join(' | ')}`);
    else passed++;
  }
  for (const c of cases.bad) {
    const problems = run(c);
    let all = true;
    for (const expect of [].concat(c.expect)) {
      if (!problems.some((p) => new RegExp(expect).test(p))) {
        all = false;
        const got = problems.length ? problems.join(' | ') : 'no problem at all';
        failures.push(`${kind} bad case "${c.case}" was not flagged as /${expect}/: ${got}`);
      }
    }
    if (all) flagged++;
  }
  return { good: cases.good.length, passed, bad: cases.bad.length, flagged };
}

/** The file path: logs and a .graphql file written out and run like the real check. */
function throughFiles(api, checker, rest, graphql, failures) {
  const dir = mkdtempSync(path.join(tmpdir(), 'api-check-self-test-'));
  const quiet = () => {};
  try {
    const jsonl = (cases) => cases.map((c) => JSON.stringify(c.exchange)).join('\n') + '\n';
    writeFileSync(path.join(dir, 'good.jsonl'), jsonl(rest.good));
    writeFileSync(path.join(dir, 'bad.jsonl'), jsonl(rest.bad));
    const good = runRest(api, [path.join(dir, 'good.jsonl')], quiet);
    const bad = runRest(api, [path.join(dir, 'bad.jsonl')], quiet);
    if (good.problems !== 0 || good.exchanges !== rest.good.length) failures.push(`rest over a log of the good cases: ${JSON.stringify(good)}`);
    if (bad.problems < rest.bad.length) failures.push(`rest over a log of the bad cases: ${bad.problems} problems for ${rest.bad.length} cases`);
    // A test key (--test-query-key) passes where undocumented, and only that name.
    const keyed = rest.bad.find((c) => /colour=red/.test(c.exchange.path));
    writeFileSync(path.join(dir, 'keyed.jsonl'), JSON.stringify(keyed.exchange) + '\n');
    const withKey = runRest(api, [path.join(dir, 'keyed.jsonl')], quiet, new Set(['colour'])).problems;
    const otherKey = runRest(api, [path.join(dir, 'keyed.jsonl')], quiet, new Set(['k'])).problems;
    if (withKey !== 0 || otherKey === 0) failures.push(`--test-query-key: ${withKey} problems with colour as a key, ${otherKey} with k`);

    const exchange = (c) => ({ method: 'POST', path: '/graphql', status: 200, request: { query: c.document, variables: c.variables ?? {} }, response: c.answer ?? null });
    const logged = (cases) => cases.filter((c) => c.variables !== undefined);
    writeFileSync(path.join(dir, 'good-graphql.jsonl'), logged(graphql.good).map((c) => JSON.stringify(exchange(c))).join('\n') + '\n');
    writeFileSync(path.join(dir, 'bad.graphql'), graphql.bad.find((c) => c.variables === undefined).document);
    const g = runGraphql(checker, [path.join(dir, 'good-graphql.jsonl')], quiet);
    const b = runGraphql(checker, [path.join(dir, 'bad.graphql')], quiet);
    if (g.problems !== 0 || g.documents !== logged(graphql.good).length) failures.push(`graphql over a log of the good cases: ${JSON.stringify(g)}`);
    if (b.problems === 0) failures.push('graphql over a bad .graphql file: no problem');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function selfTest(api, checker, log = console.log) {
  const failures = [];
  const rest = load('rest.json');
  const graphql = load('graphql.json');
  const r = judge('rest', rest, (c) => checkExchange(api, c.exchange).problems, failures);
  const g = judge('graphql', graphql, (c) => graphqlCase(checker, c), failures);
  throughFiles(api, checker, rest, graphql, failures);
  for (const f of failures) log(`FAILED: ${f}`);
  log(
    `self-test: known-bad cases flagged: ${r.flagged}/${r.bad} REST exchanges, ${g.flagged}/${g.bad} GraphQL ` +
      `documents and answers; known-good cases passed: ${r.passed}/${r.good} REST, ${g.passed}/${g.good} GraphQL; ` +
      `${failures.length} failures`,
  );
  return failures.length === 0;
}
