// Checks of the chat through nginx with a plain WebSocket client (Node `ws`): what a browser's
// input limits hide (bad and over-limit input), and keep-alive behind a proxy.
'use strict';

const { withTimeout } = require('./processes');

const WAIT_TIMEOUT_MS = 15000;  // one answer

// Over-limit and malformed input through nginx, from a plain WebSocket client (Node `ws`, from
// tests/interop): each gets an error message and the connection stays usable; only a frame over
// the node's 64 KiB cap closes it (1009). The node must then still serve the pages.
async function checkRefusals(WebSocket, base) {
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
async function checkKeepAlive(WebSocket, base) {
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

module.exports = { checkRefusals, checkKeepAlive, KEEPALIVE_PROXY_TIMEOUT_MS };
