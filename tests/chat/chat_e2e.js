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
// Helpers: e2e/processes.js (processes, ports, readiness), e2e/ws_checks.js (plain WebSocket
// checks).
// Usage: node chat_e2e.js --chat PATH --nginx-conf PATH --artifacts DIR [--mode two-nodes]
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const { START_TIMEOUT_MS, withTimeout, start, stop, stopAll, killAllNow, freePorts, waitForHttp,
        tail, children } = require('./e2e/processes');
const { checkRefusals, checkKeepAlive, KEEPALIVE_PROXY_TIMEOUT_MS } = require('./e2e/ws_checks');

const CHROMIUM = '/usr/bin/chromium';
const NGINX = '/usr/sbin/nginx';
const REDIS = '/usr/bin/redis-server';
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic',
                       '--no-first-run', '--disable-background-networking',
                       '--disable-component-update', '--disable-sync'];
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
    await checkKeepAlive(requireFromInterop('ws'), base);
    return;
  }
  await checkRefusals(requireFromInterop('ws'), base);

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
