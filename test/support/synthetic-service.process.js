'use strict';
// A watched service for e2e tests, run as a real child process under the process
// supervisor, so jira-resolver's restarts are real restarts:
// - POST /fault/leak: a restart-curable fault (in memory: a restart clears it);
// - FLAG_FILE containing "fail": a flag-driven fault (on disk: survives restarts, like flagd).
const http = require('node:http');
const fs = require('node:fs');
const { Counter, Histogram, Registry } = require('prom-client');

const port = Number(process.env.PORT);
const flagFile = process.env.FLAG_FILE;
const registry = new Registry();
const labelNames = ['method', 'route', 'status_code'];
const requests = new Counter({
  name: 'http_requests_total',
  help: 'requests',
  labelNames,
  registers: [registry],
});
const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'latency',
  labelNames,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
let leak = false;
let sent = 0;

function flagged() {
  try {
    return flagFile !== undefined && fs.readFileSync(flagFile, 'utf8').includes('fail');
  } catch {
    return false;
  }
}

setInterval(() => {
  const failing = leak || flagged();
  for (let i = 0; i < 5; i++) {
    sent++;
    const status = failing && sent % 3 === 0 ? '500' : '200';
    const labels = { method: 'GET', route: '/', status_code: status };
    requests.inc(labels);
    duration.observe(labels, 0.04);
  }
}, 100);

http
  .createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    if (req.url === '/health') return res.writeHead(200).end('ok');
    if (req.url === '/fault/leak' && req.method === 'POST') {
      leak = true;
      console.error('ERROR memory leak armed: responses start failing');
      return res.writeHead(204).end();
    }
    res.writeHead(404).end();
  })
  .listen(port, '127.0.0.1', () => console.log(`synthetic service on ${port}`));
