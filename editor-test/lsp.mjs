// Drives the real yaml-language-server over stdio with lwf's editor schema
// and checks what a person editing a workflow file would see:
//   (a) a valid example gets no diagnostics,
//   (b) an unknown parameter and a wrong enum value get diagnostics at their lines,
//   (c) completion inside a step offers that action's parameter names,
//   (d) hover on a parameter shows its description.
// Prints a JSON summary; exits 1 when a check fails.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const schemaURI = pathToFileURL(path.join(repo, 'lang', 'lwf.schema.json')).href;
const modeline = `# yaml-language-server: $schema=${schemaURI}`;

const server = spawn(process.execPath, [path.join(here, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });

let buf = Buffer.alloc(0);
let nextId = 1;
const pending = new Map();
const diagnostics = new Map();
const waiters = [];

function send(msg) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}
function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
const notify = (method, params) => send({ method, params });

server.stdout.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const m = /Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString());
    const len = Number(m[1]);
    if (buf.length < end + 4 + len) return;
    const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString());
    buf = buf.subarray(end + 4 + len);
    handle(msg);
  }
});

function handle(msg) {
  if (msg.id !== undefined && pending.has(msg.id) && msg.method === undefined) {
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    msg.error ? p.reject(new Error(JSON.stringify(msg.error))) : p.resolve(msg.result);
    return;
  }
  if (msg.method === 'workspace/configuration') {
    // The server's defaults (validate, hover, completion on) are what an
    // editor has; answering null keeps them.
    send({ id: msg.id, result: msg.params.items.map(() => null) });
    return;
  }
  if (msg.method === 'textDocument/publishDiagnostics') {
    diagnostics.set(msg.params.uri, msg.params.diagnostics);
    for (const w of waiters.splice(0)) w();
    return;
  }
  if (msg.id !== undefined && msg.method) {
    send({ id: msg.id, result: null }); // other server requests: nothing to say
  }
}


// waitDiagnostics waits until the server has published for uri and has then
// been quiet for a moment (it may publish twice while the schema loads).
async function waitDiagnostics(uri, timeoutMs = 20000) {
  const start = Date.now();
  for (;;) {
    const before = diagnostics.get(uri);
    await new Promise((r) => { waiters.push(r); setTimeout(r, 700); });
    if (diagnostics.has(uri) && diagnostics.get(uri) === before) return before;
    if (Date.now() - start > timeoutMs) throw new Error(`no diagnostics for ${uri}`);
  }
}

function open(name, text) {
  const uri = pathToFileURL(path.join(repo, 'editor-test', 'docs', name)).href;
  notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  return uri;
}

const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

try {
  await request('initialize', {
    processId: process.pid, rootUri: null,
    // No workspace/configuration capability: settings come with
    // didChangeConfiguration, as from a simple editor.
    capabilities: { textDocument: { completion: { completionItem: { snippetSupport: false } }, publishDiagnostics: {} } },
  });
  notify('initialized', {});

  // (a) a valid example, with the modeline pointed at the schema file.
  const example = readFileSync(path.join(repo, 'examples', 'ai-startups.yaml'), 'utf8').replace(/^# yaml-language-server:.*$/m, modeline);
  const validURI = open('valid.yaml', example);
  const valid = await waitDiagnostics(validURI);
  check(valid.length === 0, `valid example: ${valid.length} diagnostics: ${JSON.stringify(valid.map((d) => d.message))}`);

  // (b) an unknown parameter (line 6) and a wrong enum value (line 9), 0-based lines 5 and 8.
  const broken = [modeline, 'version: 1', 'name: broken', 'workflow:', '  action: searchCompanies',
    '  terms: AI startup', '  filter:', '    sizes:', '      - "2001-500"', ''].join('\n');
  const brokenURI = open('broken.yaml', broken);
  const got = await waitDiagnostics(brokenURI);
  const lines = got.map((d) => d.range.start.line);
  check(lines.includes(5), `unknown parameter: no diagnostic on line 6 (got lines ${lines.map((l) => l + 1)})`);
  check(lines.includes(8), `wrong enum value: no diagnostic on line 9 (got lines ${lines.map((l) => l + 1)})`);

  // (c) completion on an empty line inside a sendConnectionRequest step.
  const partial = [modeline, 'version: 1', 'name: partial', 'workflow:', '  action: sendConnectionRequest',
    '  personUrl: https://www.linkedin.com/in/ada', '  ', ''].join('\n');
  const partialURI = open('partial.yaml', partial);
  await waitDiagnostics(partialURI);
  const completion = await request('textDocument/completion', { textDocument: { uri: partialURI }, position: { line: 6, character: 2 } });
  const items = (Array.isArray(completion) ? completion : completion.items).map((i) => i.label);
  for (const want of ['note', 'email', 'label', 'if']) {
    check(items.includes(want), `completion lacks ${want} (got ${items.join(', ')})`);
  }
  check(!items.includes('limit'), 'completion offers limit, a parameter sendConnectionRequest does not have');

  // (d) hover on a parameter shows its description from the catalog.
  const hover = await request('textDocument/hover', { textDocument: { uri: partialURI }, position: { line: 5, character: 4 } });
  const hoverText = JSON.stringify(hover?.contents ?? '');
  check(hoverText.includes('LinkedIn URL of the person'), `hover on personUrl lacks its description: ${hoverText}`);

  console.log(JSON.stringify({ validDiagnostics: valid.length, brokenDiagnostics: got.map((d) => ({ line: d.range.start.line + 1, message: d.message })), completion: items.sort(), hover: hoverText.slice(0, 120), failures }, null, 2));
} catch (err) {
  failures.push(String(err));
  console.log(JSON.stringify({ failures }, null, 2));
} finally {
  server.kill();
}
process.exit(failures.length ? 1 : 0);
