// Loads GitHub's API descriptions and the libraries that read them from the node_modules
// directory `api-check` installed (outside the repository), and says which versions they are.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The packages the check needs, each with the file it reads. */
const OPENAPI = ['@octokit/openapi', 'generated/api.github.com.json'];
const GRAPHQL_SCHEMA = ['@octokit/graphql-schema', 'schema.graphql'];

function packageFile(modules, [name, file]) {
  const p = path.join(modules, name, file);
  if (!existsSync(p)) {
    throw new Error(`${p} is missing: the install of ${name} in ${modules} is incomplete`);
  }
  return p;
}

function packageVersion(modules, name) {
  return JSON.parse(readFileSync(path.join(modules, name, 'package.json'), 'utf8')).version;
}

/** Libraries (CommonJS packages) loaded from `modules`. */
export function libraries(modules) {
  if (!existsSync(modules)) {
    throw new Error(`${modules} does not exist: run the check through tools/api-check/api-check, which installs it`);
  }
  const require = createRequire(path.join(modules, '..', 'package.json'));
  return {
    Ajv: require('ajv').default,
    addFormats: require('ajv-formats').default,
    graphql: require('graphql'),
  };
}

/** GitHub's OpenAPI description of api.github.com, parsed, and where it came from. */
export function openapiDescription(modules) {
  const file = packageFile(modules, OPENAPI);
  return {
    spec: JSON.parse(readFileSync(file, 'utf8')),
    source: `${OPENAPI[0]}@${packageVersion(modules, OPENAPI[0])} ${OPENAPI[1]}`,
  };
}

/** GitHub's GraphQL schema (SDL text), and where it came from. */
export function graphqlSchema(modules) {
  const file = packageFile(modules, GRAPHQL_SCHEMA);
  return {
    sdl: readFileSync(file, 'utf8'),
    source: `${GRAPHQL_SCHEMA[0]}@${packageVersion(modules, GRAPHQL_SCHEMA[0])} ${GRAPHQL_SCHEMA[1]}`,
  };
}
