// sdk-lowering.mjs runs every case of lowering-cases.json through the
// official Node SDK (@linkedapi/node, installed in ./node_modules) against a
// capture server on 127.0.0.1, and prints one JSON line per case:
//
//   {"name", "operation", "modelled", "payload", "mapped"}
//
// payload is the body the SDK sent to POST /workflows; mapped is what the
// SDK returned from result() when GET /workflows/{id} answered with the
// case's completion. compiler/stdlib_sdk_test.go compares both with lwf.
//
// Operations newer than the installed SDK are listed under "models" in the
// cases file: they are built from the SDK's own mapper classes with the
// mapper kind the reference gives, and their lines say "modelled": true.
//
// Usage: node sdk-lowering.mjs [cases.json]
// Exit status: 0 when every case ran, 1 when a case failed or an operation
// of the SDK has no case.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const sdk = require('@linkedapi/node');
const mappers = require('@linkedapi/node/dist/mappers');

const here = path.dirname(fileURLToPath(import.meta.url));
const casesFile = process.argv[2] ?? path.join(here, 'lowering-cases.json');
const table = JSON.parse(readFileSync(casesFile, 'utf8'));

const LINKED_API_TOKEN = 't';
const IDENTIFICATION_TOKEN = 'i';

// Operations that are not workflows, or that lwf replaces as a whole.
const NOT_COMPARED = new Set(['customWorkflow']);

// The capture server: POST /workflows records the body and answers with a
// new workflow id; GET /workflows/{id} answers with the completion of the
// case that started it.
const workflows = new Map();
let current = null;
let seq = 0;

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (
      req.headers['linked-api-token'] !== LINKED_API_TOKEN ||
      req.headers['identification-token'] !== IDENTIFICATION_TOKEN
    ) {
      send(res, 401, { success: false, error: { type: 'invalidLinkedApiToken', message: 'bad tokens' } });
      return;
    }
    if (req.method === 'POST' && req.url === '/workflows') {
      const text = Buffer.concat(chunks).toString('utf8');
      const workflowId = `wf-${++seq}`;
      workflows.set(workflowId, { body: text === '' ? null : JSON.parse(text), completion: current.completion });
      send(res, 200, { success: true, result: { workflowId, workflowStatus: 'pending' } });
      return;
    }
    const m = /^\/workflows\/([^/]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && m && workflows.has(m[1])) {
      const wf = workflows.get(m[1]);
      send(res, 200, {
        success: true,
        result: { workflowId: m[1], workflowStatus: 'completed', completion: wf.completion },
      });
      return;
    }
    send(res, 404, { success: false, error: { type: 'notFound', message: `${req.method} ${req.url}` } });
  });
});

// modelOperation builds an operation the installed SDK does not have from
// its own mapper classes.
function modelOperation(name, model, httpClient) {
  let mapper;
  switch (model.mapper) {
    case 'then':
      mapper = new mappers.ThenWorkflowMapper({
        actionConfigs: (model.actions ?? []).map((a) => ({
          paramName: a.paramName,
          actionType: a.actionType,
          configSource: a.configSource,
        })),
        responseMappings: (model.actions ?? []).map((a) => ({
          actionType: a.actionType,
          targetProperty: a.targetProperty,
        })),
        baseActionType: model.actionType,
        defaultParams: model.defaultParams,
      });
      break;
    case 'simple':
      mapper = new mappers.SimpleWorkflowMapper({ actionType: model.actionType, defaultParams: model.defaultParams });
      break;
    case 'array':
      mapper = new mappers.ArrayWorkflowMapper(model.actionType);
      break;
    case 'void':
      mapper = new mappers.VoidWorkflowMapper(model.actionType);
      break;
    default:
      throw new Error(`model ${name}: unknown mapper kind ${model.mapper}`);
  }
  const op = new sdk.PredefinedOperation(httpClient);
  op.operationName = name;
  op.mapper = mapper;
  return op;
}

async function main() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const api = new sdk.LinkedApi({
    linkedApiToken: LINKED_API_TOKEN,
    identificationToken: IDENTIFICATION_TOKEN,
    baseUrl: `http://127.0.0.1:${port}`,
  });

  let failed = false;
  const sdkOperations = api.operations.map((op) => op.operationName);
  const models = table.models ?? {};
  for (const name of Object.keys(models)) {
    if (sdkOperations.includes(name)) {
      console.error(`model ${name}: the installed SDK has this operation; remove the model`);
      failed = true;
    }
  }

  for (const c of table.cases) {
    current = c;
    let op = api[c.operation];
    const modelled = !(op instanceof sdk.PredefinedOperation) && c.operation in models;
    if (modelled) {
      op = modelOperation(c.operation, models[c.operation], api.httpClient);
    }
    if (!(op instanceof sdk.PredefinedOperation)) {
      console.error(`${c.name}: ${c.operation} is neither an SDK operation nor a model`);
      failed = true;
      continue;
    }
    try {
      const before = seq;
      const workflowId = await op.execute(structuredClone(c.params));
      if (seq !== before + 1) {
        throw new Error(`expected one POST /workflows, saw ${seq - before}`);
      }
      const mapped = await op.result(workflowId, { pollInterval: 1, timeout: 10000 });
      const line = {
        name: c.name,
        operation: c.operation,
        modelled,
        payload: workflows.get(workflowId).body,
        mapped,
      };
      console.log(JSON.stringify(line));
    } catch (e) {
      console.error(`${c.name}: ${e?.type ? `${e.type}: ` : ''}${e?.message ?? e}`);
      failed = true;
    }
  }

  const covered = new Set(table.cases.map((c) => c.operation));
  for (const name of sdkOperations) {
    if (!NOT_COMPARED.has(name) && !covered.has(name)) {
      console.error(`SDK operation ${name} has no case`);
      failed = true;
    }
  }
  server.close();
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  server.close();
  process.exitCode = 1;
});
