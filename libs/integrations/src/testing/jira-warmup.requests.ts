import { type SpecRequest } from './openapi.validator';

const json = { 'content-type': 'application/json' };
const doc = { type: 'doc', version: 1, content: [] };

/** One request per operation the Jira adapter uses: validated at start so its schemas compile. */
export const JIRA_WARMUP_REQUESTS: SpecRequest[] = [
  {
    method: 'POST',
    path: '/rest/api/3/issue',
    query: {},
    headers: json,
    body: { fields: { summary: 'w' } },
  },
  {
    method: 'POST',
    path: '/rest/api/3/search/jql',
    query: {},
    headers: json,
    body: { jql: 'project = OPS' },
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/OPS-1',
    query: { fields: 'status' },
    headers: {},
    body: undefined,
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/OPS-1/transitions',
    query: {},
    headers: {},
    body: undefined,
  },
  {
    method: 'POST',
    path: '/rest/api/3/issue/OPS-1/transitions',
    query: {},
    headers: json,
    body: { transition: { id: '1' } },
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/OPS-1/comment',
    query: {},
    headers: {},
    body: undefined,
  },
  {
    method: 'POST',
    path: '/rest/api/3/issue/OPS-1/comment',
    query: {},
    headers: json,
    body: { body: doc },
  },
];
