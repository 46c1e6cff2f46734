// A second, independent validator: every example and standard workflow
// must validate against lwf's editor schema with ajv, and files lwf
// rejects for schema-level reasons must fail it too, so the schema and the
// compiler cannot drift apart silently. Prints a JSON summary; exits 1 on a
// failure.
import Ajv from 'ajv';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(path.join(repo, 'lang', 'lwf.schema.json'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
const validate = ajv.compile(schema);

const failures = [];
let valid = 0;
for (const dir of ['examples', 'workflows']) {
  for (const f of readdirSync(path.join(repo, dir)).filter((n) => n.endsWith('.yaml')).sort()) {
    const doc = YAML.parse(readFileSync(path.join(repo, dir, f), 'utf8'));
    if (validate(doc)) {
      valid++;
    } else {
      failures.push(`${dir}/${f}: ${ajv.errorsText(validate.errors)}`);
    }
  }
}

// Files with problems the schema can express must be rejected.
const invalid = [
  'compiler/testdata/check/unknown-param.yaml',
  'compiler/testdata/check/unknown-action.yaml',
  'compiler/testdata/check/param-value-enum.yaml',
  'compiler/testdata/check/param-value-range.yaml',
  'compiler/testdata/check/param-type.yaml',
  'compiler/testdata/check/unknown-field.yaml',
  'compiler/testdata/check/bad-name.yaml',
  'compiler/testdata/check/missing-fields.yaml',
];
let rejected = 0;
for (const f of invalid) {
  const doc = YAML.parse(readFileSync(path.join(repo, f), 'utf8'));
  if (validate(doc)) {
    failures.push(`${f}: accepted, but lwf rejects it`);
  } else {
    rejected++;
  }
}
console.log(JSON.stringify({ valid, rejected, failures }, null, 2));
process.exit(failures.length ? 1 : 0);
