#!/usr/bin/env node
// End-to-end test of examples/chat in a real deployment on loopback: redis-server, two chat
// nodes (A and B) and nginx in front of them (examples/chat/nginx.conf.in), all on free ports,
// and two pages in Debian's headless Chromium (playwright-core, as tests/interop does).
//
// Routing: each page opens the chat through nginx with ?node=a or ?node=b, which nginx maps to
// an upstream that prefers that node and falls back to the other (the page passes its query on
// to /ws). So which node serves which page is known, and a dead node's page still reconnects
// through nginx to the live one.
//
//   --mode two-nodes  page 1 on A, page 2 on B: their rooms meet only through Redis (needs a
//                     chat built with the Redis bridge). Both send; both see both messages.
//                     A is killed (SIGKILL); page 1 reconnects (backoff) through nginx to B; a
//                     message sent after that is seen by both pages.
//   --mode one-node   no Redis: both pages on A; the same exchange; A is killed and both pages
//                     reconnect to B and chat on there.
//   --mode keepalive  no browser: a client idle behind nginx (its read timeout cut to 3 s) is
//                     kept open by the nodes' pings (1 s idle timeout).
// Also: text that looks like HTML stays text (no element made, no script run); input over the
// limits gets error messages (a plain WebSocket client, first). A screenshot of
// page 1 is saved to --artifacts (chat.png, chat-after-failover.png; one-node: chat-one-node*.png).
// Every wait is on a condition (a DOM state, a log line, an HTTP answer), each with a timeout;
// every process is stopped on success and on failure.
//
// Usage: node chat_e2e.js --chat PATH --nginx-conf PATH --artifacts DIR [--mode two-nodes]
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const CHROMIUM = '/usr/bin/chromium';
const NGINX = '/usr/sbin/nginx';
const REDIS = '/usr/bin/redis-server';
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic',
                       '--no-first-run', '--disable-background-networking',
                       '--disable-component-update', '--disable-sync'];
const START_TIMEOUT_MS = 15000;  // a process to be ready
const WAIT_TIMEOUT_MS = 15000;   // one condition in a page
const TEST_TIMEOUT_MS = 120000;  // the whole run, should something hang outside a wait
const ROOM = 'e2e-room';

// playwright-core and ws are installed in tests/interop (scripts/deps.sh: npm ci there).
function requireFromInterop(name) {
  const where = [__dirname, path.join(__dirname, '..', 'interop')];
  try {
    return require(require.resolve(name, { paths: where }));
  } catch (err) {
    console.error(`chat_e2e: ${name} is missing; run scripts/deps.sh ` +
                  '(npm ci --prefix tests/interop)');
    process.exit(2);
  }
}

function parseArgs(argv) {
  const args = { mode: 'two-nodes' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
    args[key.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = argv[i + 1];
  }
  for (const required of ['chat', 'nginxConf', 'artifacts']) {
    const flag = required.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    if (!args[required]) throw new Error(`--${flag} is required`);
  }
  if (!['two-nodes', 'one-node', 'keepalive'].includes(args.mode)) {
    throw new Error(`unknown --mode ${args.mode}`);
  }
  return args;
}

// ---- processes -------------------------------------------------------------------------------

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

// ---- pages -----------------------------------------------------------------------------------

async function waitInPage(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT_TIMEOUT_MS });
  } catch (err) {
    const state = await page.evaluate(() => ({
      state: document.body.dataset.state, node: document.getElementById('node').textContent,
      status: document.getElementById('state').textContent,
      error: document.getElementById('error').textContent,
      members: [...document.querySelectorAll('#members li')].map((li) => li.textContent),
      messages: [...document.querySelectorAll('#messages li')].map((li) => li.textContent),
    })).catch(() => ({}));
    const first = err.message.split('\n')[0];
    throw new Error(`${page.label}: ${what}: ${first}; page: ${JSON.stringify(state)}`);
  }
}

async function openPage(context, base, label, route) {
  const page = await context.newPage();
  page.label = label;
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`script error: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${base}/?node=${route}`, { timeout: WAIT_TIMEOUT_MS });
  // Records every connection state the page shows, to check it showed the reconnect (and, for a
  // page on the node that lives, that it never lost its connection).
  await page.evaluate(() => {
    window.seenStates = [document.body.dataset.state];
    new MutationObserver(() => window.seenStates.push(document.body.dataset.state))
      .observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  });
  return page;
}

async function join(page, name, node) {
  await waitInPage(page, `node ${node} shown`,
                   (n) => document.getElementById('node').textContent === n &&
                          document.body.dataset.state === 'online', node);
  await page.fill('#name', name);
  await page.fill('#room', ROOM);
  await page.click('#join');
  await waitInPage(page, 'joined', (room) => document.body.dataset.joined === room, ROOM);
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

function waitForMessages(page, texts) {
  return waitInPage(page, `messages ${JSON.stringify(texts)}`, (want) => {
    const seen = [...document.querySelectorAll('#messages .msg .text')].map((e) => e.textContent);
    return want.every((t) => seen.includes(t));
  }, texts);
}

// `want`: {name: node} for every member the page must list (and no other).
function waitForMembers(page, want) {
  return waitInPage(page, `members ${JSON.stringify(want)}`, (w) => {
    const items = [...document.querySelectorAll('#members li')];
    const got = Object.fromEntries(items.map((li) => [li.querySelector('.who').textContent,
                                                       li.dataset.node]));
    return items.length === Object.keys(w).length &&
           Object.entries(w).every(([n, node]) => got[n] === node);
  }, want);
}

function waitReconnected(page, node) {
  return waitInPage(page, `reconnected to node ${node}`, (n) =>
    document.body.dataset.state === 'online' && document.getElementById('node').textContent === n &&
    [...document.querySelectorAll('#messages .system')]
      .some((e) => e.textContent === `Reconnected through node ${n}.`),
  node);
}

// Over-limit and malformed input through nginx, from a plain WebSocket client (Node `ws`, from
// tests/interop): each gets an error message and the connection stays usable; only a frame over
// the node's 64 KiB cap closes it (1009). The node must then still serve the pages.
async function checkRefusals(base) {
  const WebSocket = requireFromInterop('ws');
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?node=a`);
  const inbox = [];
  const waiters = [];
  let closed = null;
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    const w = waiters.shift();
    if (w) w.resolve(m); else inbox.push(m);
  });
  const closedPromise = new Promise((resolve) => ws.on('close', (code) => {
    closed = code;
    resolve(code);
  }));
  const next = (what) => {
    if (inbox.length) return Promise.resolve(inbox.shift());
    if (closed !== null) return Promise.reject(new Error(`closed (${closed}) before ${what}`));
    return withTimeout(new Promise((resolve, reject) => waiters.push({ resolve, reject })),
                       WAIT_TIMEOUT_MS, what);
  };
  const expectError = async (payload, code) => {
    ws.send(payload);
    const m = await next(`error ${code}`);
    if (m.type !== 'error' || m.code !== code) {
      throw new Error(`refusals: sent ${payload.slice(0, 60)}..., wanted error ${code}, got ` +
                      JSON.stringify(m));
    }
  };
  try {
    await withTimeout(new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject)),
                      WAIT_TIMEOUT_MS, 'a WebSocket through nginx');
    const hello = await next('hello');
    if (hello.type !== 'hello' || hello.node !== 'A') {
      throw new Error(`refusals: hello ${JSON.stringify(hello)}`);
    }
    const join = (name) => JSON.stringify({ type: 'join', name, room: 'limits', id: 'limits-01' });
    await expectError('not json', 'bad_json');
    await expectError(JSON.stringify({ type: 'say', text: 'early' }), 'not_joined');
    await expectError(join('n'.repeat(33)), 'name_too_long');
    const badRoom = { type: 'join', name: 'x', room: '<script>', id: 'limits-01' };
    await expectError(JSON.stringify(badRoom), 'room_invalid');
    ws.send(join('limits'));
    if ((await next('welcome')).type !== 'welcome') throw new Error('refusals: no welcome');
    await expectError(JSON.stringify({ type: 'say', text: 'x'.repeat(1001) }), 'text_too_long');
    await expectError(' '.repeat(20 * 1024), 'too_large');
    ws.send('x'.repeat(70 * 1024));
    const code = await withTimeout(closedPromise, WAIT_TIMEOUT_MS, 'the close of a 70 KiB frame');
    if (code !== 1009) throw new Error(`refusals: a 70 KiB frame closed with ${code}, not 1009`);
    console.log('chat_e2e: bad input refused with error messages; a 70 KiB frame closed (1009)');
  } finally {
    ws.terminate();
  }
}

// Keep-alive through nginx: nodes with a 1 s idle timeout (pings after 0.5 s of silence), nginx
// with proxy_read_timeout cut to 3 s. A client that joins and then says nothing itself (its
// WebSocket library answers pings) must be pinged across more than nginx's timeout and still
// be connected afterwards: the pings are what keeps a quiet tab behind a proxy.
const KEEPALIVE_PROXY_TIMEOUT_MS = 3000;
async function checkKeepAlive(base) {
  const WebSocket = requireFromInterop('ws');
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?node=a`);
  const pings = [];
  let wantPings = 0;
  let pingsReached;
  const enoughPings = new Promise((resolve) => { pingsReached = resolve; });
  const messages = [];
  let onMessage = () => {};
  ws.on('ping', () => {
    pings.push(Date.now());
    if (wantPings && pings.length >= wantPings) pingsReached();
  });
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    onMessage();
  });
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  const waitMessage = (type) => withTimeout(new Promise((resolve, reject) => {
    const check = () => {
      const m = messages.find((x) => x.type === type);
      if (m) resolve(m);
    };
    onMessage = check;
    check();
    closed.then((code) => reject(new Error(`closed (${code}) waiting for ${type}`)));
  }), WAIT_TIMEOUT_MS, `message ${type}`);
  try {
    await withTimeout(new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject)),
                      WAIT_TIMEOUT_MS, 'a WebSocket through nginx');
    ws.send(JSON.stringify({ type: 'join', name: 'idle', room: 'keepalive', id: 'keepalive-1' }));
    await waitMessage('welcome');
    const quietSince = Date.now();
    const before = pings.length;
    wantPings = before + 8;  // ~0.5 s apart: over 3 s of nothing from the upstream but pings
    await withTimeout(Promise.race([enoughPings, closed.then((code) => {
      throw new Error(`closed (${code}) after ${Date.now() - quietSince} ms while idle`);
    })]), WAIT_TIMEOUT_MS, `${wantPings - before} keep-alive pings`);
    const span = pings[pings.length - 1] - quietSince;
    if (span <= KEEPALIVE_PROXY_TIMEOUT_MS) {
      throw new Error(`keep-alive: pings spanned only ${span} ms`);
    }
    ws.send(JSON.stringify({ type: 'say', text: 'still here' }));
    const m = await waitMessage('message');
    if (m.text !== 'still here') throw new Error(`keep-alive: got ${JSON.stringify(m)}`);
    console.log(`chat_e2e: idle for ${span} ms through nginx (proxy_read_timeout ` +
                `${KEEPALIVE_PROXY_TIMEOUT_MS} ms), kept by ${pings.length - before} pings`);
  } finally {
    ws.terminate();
  }
}

// chat.png for the real deployment (two nodes), chat-one-node.png for the other.
function shotName(mode) {
  return mode === 'two-nodes' ? 'chat' : `chat-${mode}`;
}

// ---- the test --------------------------------------------------------------------------------

async function run(args, runtime) {
  const twoNodes = args.mode === 'two-nodes';
  const [redisPort, portA, portB, nginxPort] = await freePorts(4);
  console.log(`chat_e2e: ${args.mode}: runtime ${runtime}; redis :${redisPort}, A :${portA}, ` +
              `B :${portB}, nginx :${nginxPort}`);

  const keepAlive = args.mode === 'keepalive';
  const nodeArgs = keepAlive ? ['--idle-timeout-ms', '1000'] : [];
  if (twoNodes) {
    const redis = start('redis', REDIS, ['--port', String(redisPort), '--bind', '127.0.0.1',
                                         '--save', '', '--appendonly', 'no', '--dir', runtime],
                        runtime, /Ready to accept connections/);
    await withTimeout(redis.ready, START_TIMEOUT_MS, 'redis-server to be ready');
    nodeArgs.push('--redis', `127.0.0.1:${redisPort}`);
  }
  const startNode = (name, port) => start(`node-${name.toLowerCase()}`, args.chat,
                                          ['--port', String(port), '--node-name', name,
                                           ...nodeArgs], runtime);
  const nodeA = startNode('A', portA);
  const nodeB = startNode('B', portB);
  await Promise.all([waitForHttp(`http://127.0.0.1:${portA}/healthz`, 'A\n', nodeA),
                     waitForHttp(`http://127.0.0.1:${portB}/healthz`, 'B\n', nodeB)]);

  let conf = fs.readFileSync(args.nginxConf, 'utf8')
    .replaceAll('@RUNTIME_DIR@', runtime).replaceAll('@LISTEN@', `127.0.0.1:${nginxPort}`)
    .replaceAll('@NODE_A@', `127.0.0.1:${portA}`).replaceAll('@NODE_B@', `127.0.0.1:${portB}`);
  if (keepAlive) {
    const readTimeout = /proxy_read_timeout \d+s;/;
    if (!readTimeout.test(conf)) throw new Error('the nginx template sets no proxy_read_timeout');
    conf = conf.replace(readTimeout, `proxy_read_timeout ${KEEPALIVE_PROXY_TIMEOUT_MS}ms;`);
  }
  const confPath = path.join(runtime, 'nginx.conf');
  fs.writeFileSync(confPath, conf);
  const nginx = start('nginx', NGINX, ['-p', runtime, '-c', confPath,
                                       '-e', path.join(runtime, 'error.log')], runtime);
  const base = `http://127.0.0.1:${nginxPort}`;
  await Promise.all([waitForHttp(`${base}/healthz?node=a`, 'A\n', nginx),
                     waitForHttp(`${base}/healthz?node=b`, 'B\n', nginx)]);

  if (keepAlive) {
    await checkKeepAlive(base);
    return;
  }
  await checkRefusals(base);

  const { chromium } = requireFromInterop('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS,
                                          timeout: START_TIMEOUT_MS });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
    const routeB = twoNodes ? 'b' : 'a';
    const nodeOf2 = twoNodes ? 'B' : 'A';
    const page1 = await openPage(context, base, 'page 1', 'a');
    const page2 = await openPage(context, base, 'page 2', routeB);
    await join(page1, 'Ada', 'A');
    await join(page2, 'Grace', nodeOf2);
    // Presence: each lists both (in two-nodes mode, learnt through Redis).
    await waitForMembers(page1, { Ada: 'A', Grace: nodeOf2 });
    await waitForMembers(page2, { Ada: 'A', Grace: nodeOf2 });

    const m1 = 'Hello from page 1 (node A)';
    const m2 = `Hello from page 2 (node ${nodeOf2})`;
    const html = '<img src=x onerror="window.injected=1"><b>not bold</b>';
    await say(page1, m1);
    await waitForMessages(page1, [m1]);  // the server's copy: sent in order
    await say(page2, m2);
    await say(page2, html);
    for (const page of [page1, page2]) await waitForMessages(page, [m1, m2, html]);
    for (const page of [page1, page2]) {
      const injected = await page.evaluate(() => ({
        flag: window.injected,
        elements: document.querySelectorAll('#messages img, #messages b').length,
      }));
      if (injected.flag !== undefined || injected.elements !== 0) {
        throw new Error(`${page.label}: user text became markup: ${JSON.stringify(injected)}`);
      }
    }
    fs.mkdirSync(args.artifacts, { recursive: true });
    const shot = path.join(args.artifacts, `${shotName(args.mode)}.png`);
    await page1.screenshot({ path: shot });
    console.log(`chat_e2e: screenshot ${shot}`);

    // Node A dies without a word; its pages must find B through nginx by themselves. The states
    // each page shows are recorded from here on (both are online now).
    for (const page of [page1, page2]) {
      await page.evaluate(() => { window.seenStates = [document.body.dataset.state]; });
    }
    await stop(nodeA, 'SIGKILL');
    await waitReconnected(page1, 'B');
    if (!twoNodes) await waitReconnected(page2, 'B');
    for (const page of [page1, page2]) {
      const states = await page.evaluate(() => window.seenStates);
      const reconnected = page === page1 || !twoNodes;
      if (reconnected && !states.includes('reconnecting')) {
        throw new Error(`${page.label} never showed it was reconnecting: ${states.join(' ')}`);
      }
      if (!reconnected && states.some((s) => s !== 'online')) {
        throw new Error(`${page.label} (on B) lost its connection: ${states.join(' ')}`);
      }
    }
    await waitForMembers(page1, { Ada: 'B', Grace: 'B' });
    await waitForMembers(page2, { Ada: 'B', Grace: 'B' });
    const m3 = 'After the failover, from page 1 (node B)';
    const m4 = 'After the failover, from page 2 (node B)';
    await say(page1, m3);
    await say(page2, m4);
    for (const page of [page1, page2]) await waitForMessages(page, [m3, m4]);
    const after = path.join(args.artifacts, `${shotName(args.mode)}-after-failover.png`);
    await page1.screenshot({ path: after });
    const problems = [...page1.problems, ...page2.problems];
    if (problems.length) throw new Error(`the pages reported: ${problems.join('; ')}`);
  } finally {
    await browser.close().catch(() => {});
  }
  // The node that lived must stop cleanly on SIGTERM (under ASan, a leak or error report makes
  // its exit status non-zero).
  await stop(nodeB);
  if (nodeB.exited.code !== 0) {
    throw new Error(`node B exited with ${nodeB.exited.code ?? nodeB.exited.signal} on SIGTERM`);
  }
}

// The last lines of a log, for a failure's report.
function tail(file) {
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`chat_e2e: ${err.message}`);
    return 2;
  }
  for (const bin of [CHROMIUM, NGINX, ...(args.mode === 'two-nodes' ? [REDIS] : [])]) {
    if (!fs.existsSync(bin)) {
      console.error(`chat_e2e: ${bin} is missing; run scripts/deps.sh`);
      return 2;
    }
  }
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'restws-chat-e2e-'));
  let failed = false;
  try {
    await withTimeout(run(args, runtime), TEST_TIMEOUT_MS, 'the whole test');
    console.log(`chat_e2e: ${args.mode} OK`);
  } catch (err) {
    failed = true;
    console.log(`chat_e2e: ${args.mode} FAILED: ${err.message}`);
  } finally {
    await stopAll();
  }
  if (failed) {
    for (const p of children) {
      const how = p.exited ? `exit ${p.exited.code ?? p.exited.signal}` : 'running';
      console.log(`---- ${p.name} (${how}) ----\n${tail(p.logPath)}`);
    }
    const errorLog = path.join(runtime, 'error.log');
    console.log(`---- nginx error.log ----\n${tail(errorLog)}`);
    console.log(`chat_e2e: logs kept in ${runtime}`);
  } else {
    fs.rmSync(runtime, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

main().then((status) => process.exit(status), (err) => {
  console.log(`chat_e2e: ${err.stack || err}`);
  killAllNow();
  process.exit(1);
});
