// Processes for the chat's end-to-end test: started with their output in a log file, stopped
// on success and on failure (and killed if the test itself is), free ports, HTTP readiness.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');

const START_TIMEOUT_MS = 15000;  // a process to be ready

const children = [];

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Starts a process whose output goes to logDir/<name>.log; resolves `ready` when a line matching
// readyPattern appears (if given).
function start(name, command, args, logDir, readyPattern) {
  const logPath = path.join(logDir, `${name}.log`);
  const log = fs.createWriteStream(logPath);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { name, child, logPath, exited: null, output: '' };
  proc.exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    proc.exited = { code, signal };
    resolve(proc.exited);
  }));
  let readyResolve;
  let readyReject;
  proc.ready = new Promise((resolve, reject) => { readyResolve = resolve; readyReject = reject; });
  const onData = (chunk) => {
    log.write(chunk);
    proc.output += chunk.toString();
    if (readyPattern && readyPattern.test(proc.output)) readyResolve();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('error', (err) => {
    readyReject(new Error(`${name}: cannot start ${command}: ${err.message}`));
  });
  proc.exit.then((e) => {
    readyReject(new Error(`${name} exited (${e.code ?? e.signal}) before it was ready`));
  });
  if (!readyPattern) readyResolve();
  children.push(proc);
  return proc;
}

async function stop(proc, signal = 'SIGTERM') {
  if (proc.exited) return;
  proc.child.kill(signal);
  try {
    await withTimeout(proc.exit, 5000, `${proc.name} to exit`);
  } catch (err) {
    proc.child.kill('SIGKILL');
    await withTimeout(proc.exit, 5000, `${proc.name} to die`).catch(() => {});
  }
}

async function stopAll() {
  await Promise.all(children.map((p) => stop(p)));
}

// Last resort (an exception escaping everything, a signal): no process outlives the test.
function killAllNow() {
  for (const p of children) {
    if (p.exited) continue;
    try {
      p.child.kill('SIGKILL');
    } catch (e) {
      // already gone
    }
  }
}
process.on('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAllNow();
    process.exit(1);
  });
}

// Free loopback ports, all held at once so they differ, never 8080 (other tests use it).
async function freePorts(n) {
  const servers = [];
  const ports = [];
  while (ports.length < n) {
    const server = net.createServer();
    await new Promise((resolve, reject) => {
      server.listen(0, '127.0.0.1', resolve).on('error', reject);
    });
    servers.push(server);
    const { port } = server.address();
    if (port !== 8080) ports.push(port);
  }
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function httpGet(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// Polls `url` until it answers 200 with `body` (a server that is still starting refuses).
async function waitForHttp(url, body, proc) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (proc && proc.exited) throw new Error(`${proc.name} exited: ${proc.output.slice(-500)}`);
    try {
      const r = await httpGet(url);
      if (r.status === 200 && r.body === body) return;
      last = `${r.status} ${JSON.stringify(r.body)}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));  // poll interval, not a sync sleep
  }
  throw new Error(`${url} did not answer ${JSON.stringify(body)} within ${START_TIMEOUT_MS} ms ` +
                  `(last: ${last})`);
}

// The last lines of a log, for a failure's report.
function tail(file) {
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
}

module.exports = { START_TIMEOUT_MS, withTimeout, start, stop, stopAll, killAllNow, freePorts,
                   waitForHttp, tail, children };
