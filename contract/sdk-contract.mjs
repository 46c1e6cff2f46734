// Drives the official Linked API Node SDK (@linkedapi/node, pinned in
// package.json) against an lwf sandbox and checks that every predefined
// operation resolves without an SDK error and that the mapped results have
// the fields the SDK's types promise.
//
//   LWF_SANDBOX_URL=http://127.0.0.1:8484 node sdk-contract.mjs
//
// Environment:
//   LWF_SANDBOX_URL                   base URL of the sandbox (required)
//   LWF_LINKED_API_TOKEN              default sandbox-linked-api-token
//   LWF_IDENTIFICATION_TOKEN          default sandbox-identification-token
//   LWF_PARKED_IDENTIFICATION_TOKEN   an account whose workflows stay pending
//                                     (slow speed), for cancel; optional
//
// Prints one line per operation and, last, "operations exercised: N".
// Exits 1 when any check fails.

import { LinkedApi } from '@linkedapi/node';

const baseUrl = process.env.LWF_SANDBOX_URL;
if (!baseUrl) {
  console.error('LWF_SANDBOX_URL is not set');
  process.exit(2);
}
const linkedApiToken = process.env.LWF_LINKED_API_TOKEN ?? 'sandbox-linked-api-token';
const identificationToken = process.env.LWF_IDENTIFICATION_TOKEN ?? 'sandbox-identification-token';
const parkedToken = process.env.LWF_PARKED_IDENTIFICATION_TOKEN;

const api = new LinkedApi({ linkedApiToken, identificationToken, baseUrl });
const poll = { pollInterval: 10, timeout: 60_000 };

const P = (slug) => `https://www.linkedin.com/in/${slug}`;
const C = (slug) => `https://www.linkedin.com/company/${slug}`;
const POST = 'https://www.linkedin.com/feed/update/urn:li:activity:7300000000000000000';

let exercised = 0;
const failures = [];
const covered = new Set(); // predefined operations run to a result

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

function hasFields(obj, fields, what) {
  check(obj !== null && typeof obj === 'object', `${what} is an object`);
  for (const f of fields) check(f in obj && obj[f] !== undefined, `${what} has ${f}`);
}

function nonEmpty(arr, what) {
  check(Array.isArray(arr) && arr.length > 0, `${what} is a non-empty array`);
}

async function op(name, fn) {
  try {
    await fn();
    exercised++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failures.push(`${name}: ${e?.type ? `${e.type}: ` : ''}${e?.message ?? e}`);
    console.log(`FAIL ${name}: ${e?.type ? `${e.type}: ` : ''}${e?.message ?? e}`);
  }
}

// run executes an operation, waits for it and requires no action errors.
async function run(operation, params) {
  const id = await operation.execute(params);
  check(typeof id === 'string' && id.startsWith('wf-'), 'workflow id is wf-…');
  const res = await operation.result(id, poll);
  covered.add(operation.operationName);
  check(Array.isArray(res.errors) && res.errors.length === 0, `no action errors (got ${JSON.stringify(res.errors)})`);
  return res.data;
}

const PERSON_FIELDS = ['name', 'publicUrl', 'hashedUrl', 'headline', 'location', 'countryCode', 'position',
  'companyName', 'companyHashedUrl', 'followersCount', 'about'];

await op('fetchPerson', async () => {
  const d = await run(api.fetchPerson, {
    personUrl: P('jane-doe'),
    retrieveExperience: true, retrieveEducation: true, retrieveSkills: true, retrieveLanguages: true,
    retrievePosts: true, retrieveComments: true, retrieveReactions: true,
    postsRetrievalConfig: { limit: 3 }, commentsRetrievalConfig: { limit: 2 }, reactionsRetrievalConfig: { limit: 2 },
  });
  hasFields(d, PERSON_FIELDS, 'person');
  check(d.name === 'Jane Doe', 'the name comes from the URL');
  nonEmpty(d.experiences, 'experiences');
  hasFields(d.experiences[0], ['position', 'companyName', 'employmentType', 'locationType', 'duration', 'startTime', 'endTime'], 'experience');
  nonEmpty(d.education, 'education');
  hasFields(d.education[0], ['schoolName', 'schoolHashedUrl', 'details'], 'education item');
  nonEmpty(d.skills, 'skills');
  nonEmpty(d.languages, 'languages');
  hasFields(d.languages[0], ['name', 'proficiency'], 'language');
  check(d.posts?.length === 3, 'posts honour the limit');
  hasFields(d.posts[0], ['url', 'time', 'type', 'text', 'images', 'hasVideo', 'hasPoll', 'reactionsCount', 'commentsCount', 'repostsCount'], 'post');
  check(d.comments?.length === 2, 'comments honour the limit');
  hasFields(d.comments[0], ['postUrl', 'time', 'text', 'reactionsCount'], 'comment');
  check(d.reactions?.length === 2, 'reactions honour the limit');
  hasFields(d.reactions[0], ['postUrl', 'time', 'reactionType'], 'reaction');
  check(!('then' in d), 'then is folded away');
});

await op('fetchPerson (basic)', async () => {
  const d = await run(api.fetchPerson, { personUrl: P('jane-doe') });
  hasFields(d, PERSON_FIELDS, 'person');
});

await op('nvFetchPerson', async () => {
  const d = await run(api.nvFetchPerson, { personHashedUrl: 'https://www.linkedin.com/in/ACoAAamFuZS1kb2U' });
  hasFields(d, ['name', 'publicUrl', 'hashedUrl', 'headline', 'location', 'countryCode', 'position', 'companyName', 'companyHashedUrl'], 'nv person');
  check(d.name === 'Jane Doe', 'a hashed URL gives the same person as its public URL');
});

await op('fetchCompany', async () => {
  const d = await run(api.fetchCompany, {
    companyUrl: C('acme-robotics'),
    retrieveEmployees: true, retrieveDMs: true, retrievePosts: true,
    employeesRetrievalConfig: { limit: 5, filter: { position: 'engineer' } }, dmsRetrievalConfig: { limit: 2 },
    postsRetrievalConfig: { limit: 2 },
  });
  hasFields(d, ['name', 'publicUrl', 'description', 'location', 'headquarters', 'industry', 'specialties', 'website',
    'employeesCount', 'ventureFinancing', 'jobsCount'], 'company');
  check(d.name === 'Acme Robotics', 'the name comes from the URL');
  check(d.employees?.length === 5, 'employees honour the limit');
  hasFields(d.employees[0], ['name', 'publicUrl', 'headline', 'location'], 'employee');
  check(d.dms?.length === 2, 'DMs honour the limit');
  hasFields(d.dms[0], ['name', 'publicUrl', 'headline', 'location', 'countryCode'], 'DM');
  check(d.posts?.length === 2, 'posts honour the limit');
});

await op('nvFetchCompany', async () => {
  const d = await run(api.nvFetchCompany, {
    companyHashedUrl: 'https://www.linkedin.com/sales/company/ACwAAYWNtZS1yb2JvdGljcw',
    retrieveEmployees: true, retrieveDMs: true,
    employeesRetrievalConfig: { limit: 3, filter: { positions: ['CTO'], yearsOfExperiences: ['sixToTen'] } },
    dmsRetrievalConfig: { limit: 1 },
  });
  hasFields(d, ['name', 'publicUrl', 'description', 'location', 'headquarters', 'industry', 'website', 'employeesCount'], 'nv company');
  check(d.name === 'Acme Robotics', 'a hashed URL gives the same company');
  check(d.employees?.length === 3, 'employees honour the limit');
  hasFields(d.employees[0], ['name', 'hashedUrl', 'position', 'location'], 'nv employee');
  check(d.dms?.length === 1, 'DMs honour the limit');
});

await op('fetchPost', async () => {
  const d = await run(api.fetchPost, {
    postUrl: POST, retrieveComments: true, retrieveReactions: true,
    commentsRetrievalConfig: { limit: 4, sort: 'mostRecent' }, reactionsRetrievalConfig: { limit: 3 },
  });
  hasFields(d, ['url', 'time', 'type', 'text', 'images', 'hasVideo', 'hasPoll', 'reactionsCount', 'commentsCount', 'repostsCount'], 'post');
  check(d.comments?.length === 4, 'comments honour the limit');
  hasFields(d.comments[0], ['commenterUrl', 'commenterName', 'commenterHeadline', 'commenterType', 'time', 'text', 'isReply', 'reactionsCount', 'repliesCount'], 'post comment');
  check(d.reactions?.length === 3, 'reactions honour the limit');
  hasFields(d.reactions[0], ['engagerUrl', 'engagerName', 'engagerHeadline', 'engagerType', 'type'], 'post reaction');
});

await op('searchCompanies', async () => {
  const d = await run(api.searchCompanies, { term: 'robotics', limit: 4, filter: { sizes: ['11-50'], locations: ['Berlin'] } });
  check(d.length === 4, 'limit honoured');
  hasFields(d[0], ['name', 'publicUrl', 'industry', 'location'], 'company item');
});

await op('nvSearchCompanies', async () => {
  const d = await run(api.nvSearchCompanies, { term: 'robotics', limit: 3, filter: { annualRevenue: { min: '1', max: '10' } } });
  check(d.length === 3, 'limit honoured');
  hasFields(d[0], ['name', 'hashedUrl', 'industry', 'employeesCount'], 'nv company item');
});

let found = [];
await op('searchPeople', async () => {
  found = await run(api.searchPeople, { term: 'CTO', limit: 5, filter: { locations: ['San Francisco'] } });
  check(found.length === 5, 'limit honoured');
  hasFields(found[0], ['name', 'publicUrl', 'headline', 'location'], 'person item');
  const again = await run(api.searchPeople, { term: 'CTO', limit: 5, filter: { locations: ['San Francisco'] } });
  check(JSON.stringify(again) === JSON.stringify(found), 'the same search gives the same people');
});

await op('nvSearchPeople', async () => {
  const d = await run(api.nvSearchPeople, { term: 'founder', limit: 2, filter: { yearsOfExperience: ['moreThanTen'] } });
  check(d.length === 2, 'limit honoured');
  hasFields(d[0], ['name', 'hashedUrl', 'position', 'location'], 'nv person item');
});

// A nonce keeps the people of this run apart from those of earlier runs
// against the same sandbox, whose state they would otherwise meet.
const nonce = Date.now().toString(16);
const target = P(`contract-target-${nonce}`);
await op('sendConnectionRequest', async () => {
  await run(api.sendConnectionRequest, { personUrl: target, note: 'Hi! Happy to connect.' });
  const id = await api.sendConnectionRequest.execute({ personUrl: target });
  const again = await api.sendConnectionRequest.result(id, poll);
  check(again.errors.length === 1 && again.errors[0].type === 'alreadyPending', 'a second request answers alreadyPending');
});

await op('checkConnectionStatus', async () => {
  const d = await run(api.checkConnectionStatus, { personUrl: target });
  check(d.connectionStatus === 'pending', `status is pending after a request (got ${d?.connectionStatus})`);
});

await op('retrievePendingRequests', async () => {
  const d = await run(api.retrievePendingRequests, {});
  check(d.some((r) => r.publicUrl === target), 'the sent request is listed');
  hasFields(d[0], ['name', 'publicUrl', 'headline', 'sentTime'], 'pending request');
});

await op('withdrawConnectionRequest', async () => {
  await run(api.withdrawConnectionRequest, { personUrl: target, unfollow: true });
  const d = await run(api.checkConnectionStatus, { personUrl: target });
  check(d.connectionStatus === 'notConnected', 'withdrawn request leaves notConnected');
});

let connections = [];
await op('retrieveConnections', async () => {
  connections = await run(api.retrieveConnections, { limit: 5 });
  check(connections.length === 5, 'limit honoured');
  hasFields(connections[0], ['name', 'publicUrl', 'headline'], 'connection');
  const since = await run(api.retrieveConnections, { since: '2000-01-01' });
  check(since.length > 0 && 'connectedAt' in since[0], 'since adds connectedAt');
});

await op('removeConnection', async () => {
  await run(api.removeConnection, { personUrl: connections[0].publicUrl });
  const d = await run(api.checkConnectionStatus, { personUrl: connections[0].publicUrl });
  check(d.connectionStatus === 'notConnected', 'a removed connection is notConnected');
});

await op('reactToPost', async () => {
  await run(api.reactToPost, { postUrl: POST, type: 'celebrate' });
});

await op('commentOnPost', async () => {
  await run(api.commentOnPost, { postUrl: POST, text: 'Congratulations!' });
});

await op('createPost', async () => {
  const d = await run(api.createPost, { text: 'Hello from the lwf sandbox.' });
  hasFields(d, ['postUrl'], 'created post');
});

await op('retrieveSSI', async () => {
  const d = await run(api.retrieveSSI, {});
  hasFields(d, ['ssi', 'industryTop', 'networkTop'], 'SSI');
  check(typeof d.ssi === 'number', 'ssi is a number');
});

await op('retrievePerformance', async () => {
  const d = await run(api.retrievePerformance, {});
  hasFields(d, ['followersCount', 'postViewsLast7Days', 'profileViewsLast90Days', 'searchAppearancesPreviousWeek'], 'performance');
});

const friend = P(`contract-friend-${nonce}-already-connected`); // a connection: st.sendMessage reaches connections only
await op('sendMessage', async () => {
  await run(api.sendMessage, { personUrl: friend, text: 'Hello there!' });
});

await op('pollConversations (before sync)', async () => {
  const r = await api.pollConversations([{ personUrl: friend, type: 'st' }]);
  check(r.data === undefined && r.errors[0]?.type === 'conversationsNotSynced', 'an unsynced conversation answers conversationsNotSynced');
});

await op('syncConversation', async () => {
  await run(api.syncConversation, { personUrl: friend });
});

await op('nvSendMessage', async () => {
  await run(api.nvSendMessage, { personUrl: friend, text: 'Hello via Sales Navigator', subject: 'Hello' });
});

await op('nvSyncConversation', async () => {
  await run(api.nvSyncConversation, { personUrl: friend });
});

await op('pollConversations', async () => {
  const r = await api.pollConversations([
    { personUrl: friend, type: 'st' },
    { personUrl: friend, type: 'nv', since: '2000-01-01T00:00:00Z' },
  ]);
  check(r.errors.length === 0 && r.data.length === 2, 'both conversations answered');
  hasFields(r.data[0], ['personUrl', 'type', 'messages'], 'conversation');
  const sent = r.data[0].messages.find((m) => m.sender === 'us' && m.text === 'Hello there!');
  check(sent, 'the sent message is in the conversation');
  hasFields(sent, ['id', 'sender', 'text', 'time'], 'message');
  check(r.data[1].messages.some((m) => m.text === 'Hello via Sales Navigator'), 'the nv message is in the nv conversation');
});

await op('customWorkflow (nested iteration)', async () => {
  const def = {
    actionType: 'st.searchCompanies', term: 'AI', limit: 2,
    then: {
      actionType: 'st.doForCompanies',
      then: {
        actionType: 'st.openCompanyPage', basicInfo: true, label: 'company',
        then: {
          actionType: 'st.retrieveCompanyEmployees', limit: 2,
          then: {
            actionType: 'st.doForPeople',
            then: { actionType: 'st.openPersonPage', basicInfo: true, then: [{ actionType: 'st.retrievePersonSkills' }] },
          },
        },
      },
    },
  };
  const c = await run(api.customWorkflow, def);
  check(c.actionType === 'st.searchCompanies' && c.success === true && c.data.length === 2, 'two companies');
  for (const company of c.data) {
    const page = company.then;
    check(page.actionType === 'st.openCompanyPage' && page.success && page.label === 'company', 'each company item holds its page, label echoed');
    const employees = page.data.then;
    check(employees.actionType === 'st.retrieveCompanyEmployees' && employees.data.length === 2, 'two employees per company');
    for (const e of employees.data) {
      check(e.then.actionType === 'st.openPersonPage' && e.then.data.name === e.name, 'each employee item holds their page, same name');
      check(Array.isArray(e.then.data.then) && e.then.data.then[0].data.length > 0, 'skills under the person (array then)');
    }
  }
});

await op('customWorkflow (root array)', async () => {
  const c = await run(api.customWorkflow, [
    { actionType: 'st.checkConnectionStatus', personUrl: P('not-found'), label: 'missing' },
    { actionType: 'st.retrieveSSI' },
  ]);
  check(Array.isArray(c) && c.length === 2, 'an array completion for a root array');
  check(c[0].success === false && c[0].error.type === 'personNotFound' && c[0].label === 'missing', 'the trigger URL answers personNotFound');
  check(c[1].success === true, 'the second root action still runs');
});

await op('cancel', async () => {
  const client = parkedToken ? new LinkedApi({ linkedApiToken, identificationToken: parkedToken, baseUrl }) : api;
  const id = await client.customWorkflow.execute({ actionType: 'st.retrieveSSI' });
  if (parkedToken) {
    check((await client.customWorkflow.status(id)) === 'pending', 'a slow account keeps it pending');
  }
  const cancelled = await client.customWorkflow.cancel(id);
  covered.add('customWorkflow');
  check(typeof cancelled === 'boolean', 'cancel answers a boolean');
  if (parkedToken) {
    check(cancelled === true, 'a pending workflow is cancelled');
    check((await client.customWorkflow.cancel(id)) === false, 'cancelling twice answers false');
  }
});

await op('getAccountInfo', async () => {
  const r = await api.getAccountInfo();
  hasFields(r.data, ['name', 'url'], 'account');
});

await op('getApiUsage', async () => {
  const end = new Date(Date.now() + 24 * 3600 * 1000);
  const start = new Date(end.getTime() - 29 * 24 * 3600 * 1000);
  const r = await api.getApiUsage({ start: start.toISOString(), end: end.toISOString() });
  check(r.errors.length === 0 && r.data.length > 0, 'executed actions are recorded');
  hasFields(r.data[0], ['actionType', 'success', 'time'], 'usage record');
  check(r.data.some((a) => a.actionType === 'st.sendConnectionRequest' && a.success === false), 'failed actions are recorded too');
  let refused = false;
  try {
    await api.getApiUsage({ start: '2026-01-01T00:00:00Z', end: '2026-03-01T00:00:00Z' });
  } catch (e) {
    refused = e.type === 'invalidRequestPayload';
  }
  check(refused, 'a window over 30 days is refused');
});

const operations = api.operations.map((o) => o.operationName);
const missing = operations.filter((o) => !covered.has(o));
if (missing.length > 0) failures.push(`predefined operations not exercised: ${missing.join(', ')}`);
console.log(`SDK predefined operations: ${operations.length}, all exercised: ${missing.length === 0}`);
console.log(`operations exercised: ${exercised}`);
if (failures.length > 0) {
  console.error(`${failures.length} failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
