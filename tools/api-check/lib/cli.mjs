// Command line of the API check (run it through ../api-check, which installs the descriptions).
//
//   cli.mjs --modules DIR rest [--test-query-key NAME]... LOG.jsonl...
//   cli.mjs --modules DIR graphql FILE...        (.graphql files and/or JSONL logs)
//   cli.mjs --modules DIR self-test
//
// Prints each problem (identical problems once, with a count), then a one-line summary.
// Exit 0: no problem; 1: problems; 2: the check could not run (usage, unreadable input,
// missing descriptions).
import { libraries, openapiDescription, graphqlSchema } from './descriptions.mjs';
import { OpenApi } from './openapi.mjs';
import { GraphqlChecker } from './graphql.mjs';
import { runRest, runGraphql, UsageError } from './run.mjs';
import { selfTest } from './selftest.mjs';

const USAGE = `usage: api-check rest [--test-query-key NAME]... LOG.jsonl...
       api-check graphql FILE...   (.graphql documents, or JSONL logs: their POST /graphql requests)
       api-check self-test`;

function main(argv) {
  const args = [...argv];
  let modules;
  if (args[0] === '--modules') {
    modules = args[1];
    args.splice(0, 2);
  }
  const [command, ...files] = args;
  if (!modules) throw new UsageError('--modules DIR is missing: run tools/api-check/api-check, not lib/cli.mjs');
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  const libs = libraries(modules);
  if (command === 'rest') {
    const ignored = new Set();
    while (files[0] === '--test-query-key') {
      if (!files[1]) throw new UsageError(USAGE);
      ignored.add(files[1]);
      files.splice(0, 2);
    }
    if (!files.length) throw new UsageError(USAGE);
    const { spec, source } = openapiDescription(modules);
    console.log(`rest: against ${source} (OpenAPI ${spec.openapi})`);
    return runRest(new OpenApi(spec, libs), files, console.log, ignored).problems ? 1 : 0;
  }
  if (command === 'graphql') {
    if (!files.length) throw new UsageError(USAGE);
    const { sdl, source } = graphqlSchema(modules);
    console.log(`graphql: against ${source}, with graphql-js ${libs.graphql.version}`);
    return runGraphql(new GraphqlChecker(sdl, libs.graphql), files).problems ? 1 : 0;
  }
  if (command === 'self-test') {
    const api = new OpenApi(openapiDescription(modules).spec, libs);
    const checker = new GraphqlChecker(graphqlSchema(modules).sdl, libs.graphql);
    return selfTest(api, checker) ? 0 : 1;
  }
  throw new UsageError(command ? `unknown command ${command}\n${USAGE}` : USAGE);
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`api-check: ${e instanceof UsageError ? '' : 'cannot run: '}${e.message}`);
  if (!(e instanceof UsageError)) console.error('api-check: the API conformance check did not run, so it cannot pass');
  process.exitCode = 2;
}
