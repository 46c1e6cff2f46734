// Benchmark client: the official Node SDK tracking many workflows at once,
// with its default polling. Usage: node bench-track.mjs BASE_URL N
// Submits N one-action workflows (customWorkflow.execute), then awaits all
// N result() calls in parallel, and prints one JSON line per workflow:
// {"workflowId", "reportedAt"} (ISO time the SDK returned its result).
import { LinkedApi } from '@linkedapi/node';

const [baseUrl, nArg] = process.argv.slice(2);
const n = Number(nArg);
const api = new LinkedApi({ linkedApiToken: 'sandbox-linked-api-token', identificationToken: 'sandbox-identification-token', baseUrl });

const ids = [];
for (let i = 0; i < n; i++) {
  ids.push(await api.customWorkflow.execute({ actionType: 'st.checkConnectionStatus', personUrl: `https://www.linkedin.com/in/bench-${i}` }));
}
await Promise.all(ids.map(async (id) => {
  await api.customWorkflow.result(id);
  process.stdout.write(JSON.stringify({ workflowId: id, reportedAt: new Date().toISOString() }) + '\n');
}));
