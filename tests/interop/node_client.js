#!/usr/bin/env node
// Interop: the Node `ws` client (tests/interop/package-lock.json pins it) against the echo server.
// Each case opens its own connection to ws://localhost:8080/chat and asserts what a user of that
// client sees: the echo byte for byte, the pong, the close code.
// Usage: node node_client.js [--url URL] [--cafile FILE] [CASE...]
//        (CASE: text binary large fragmented ping close, keepalive against a server started
//        with --idle-timeout-ms 600, subprotocol against one started with
//        --subprotocols graphql-transport-ws,mqtt, deflate against one started with --deflate;
//        default: those that need no server flag)
// Over TLS: --url wss://localhost:8080/chat --cafile CA.pem; the server's certificate must chain
// to the CAs in FILE (only those: without --cafile, Node's bundled ones) and name the URL's host.
// Needs `npm ci --prefix tests/interop` (scripts/deps.sh runs it).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
let WebSocket;
try {
  WebSocket = require('ws');
} catch (err) {
  console.error('interop.node: the ws package is missing; run scripts/deps.sh ' +
                '(npm ci --prefix tests/interop)');
  process.exit(2);
}

const TIMEOUT_MS = 5000;

// Keep-alive: pings the client must see (answered by ws itself) before its idle connection is
// judged healthy; at one ping per half idle timeout, that spans three idle timeouts.
const KEEPALIVE_PINGS = 6;
const KEEPALIVE_PAYLOAD = 'restws-keepalive';

// Subprotocols: what the server speaks (ws_echo --subprotocols), in its order of preference, and
// what the client offers, in another order: the server's preference decides.
const SERVER_SUBPROTOCOLS = ['graphql-transport-ws', 'mqtt'];
const CLIENT_OFFER = ['mqtt', 'graphql-transport-ws'];
// The subprotocols each case's connection offers (none when absent).
const OFFERS = { subprotocol: CLIENT_OFFER };
// Extra client options per case: deflate compresses every message (threshold 0; ws's default
// leaves messages under 1 KiB uncompressed).
const OPTIONS = { deflate: { perMessageDeflate: { threshold: 0 } } };

function withTimeout(promise, what, ms = TIMEOUT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function check(condition, what) {
  if (!condition) throw new Error(what);
}

// Options every connection gets: over wss://, `ca` (--cafile), passed by ws to tls.connect,
// which then trusts only those CAs and checks the URL's host against the certificate.
const TLS_OPTIONS = {};

// A connection whose events are awaited one by one.
class Connection {
  constructor(url, protocols = [], options = {}) {
    this.ws = new WebSocket(url, protocols, { maxPayload: 4 << 20, ...TLS_OPTIONS, ...options });
    // The TLS version agreed, from the socket the 101 came on (undefined over ws://).
    this.ws.once('upgrade', (response) => {
      if (typeof response.socket.getProtocol === 'function') {
        this.tlsVersion = response.socket.getProtocol();
      }
    });
    this.messages = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.waiters.splice(0).forEach((waiter) => waiter(null));
        resolve({ code, reason: reason.toString() });
      });
    });
    this.ws.on('message', (data, isBinary) => {
      const message = { data, isBinary };
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.messages.push(message);
    });
    this.ws.on('error', (err) => { this.error = err; });
  }

  open() {
    return withTimeout(new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    }), 'the handshake');
  }

  // The next message; fails if the connection closes first.
  async next() {
    const ready = this.messages.shift();
    if (ready) return ready;
    const message = this.closeCode === undefined
      ? await withTimeout(new Promise((resolve) => this.waiters.push(resolve)), 'a message')
      : null;
    if (!message) {
      throw new Error(`connection closed (code ${this.closeCode}) instead of a message`);
    }
    return message;
  }

  async close(code, reason) {
    this.ws.close(code, reason);
    return withTimeout(this.closed, 'the close handshake');
  }
}

async function echo(c, data, binary) {
  c.ws.send(data, { binary });
  return c.next();
}

const cases = {
  async text(c) {
    const sent = 'Hello, κόσμε! 😀';
    const got = await echo(c, sent, false);
    check(!got.isBinary && got.data.toString('utf8') === sent, `text echo: got ${got.data}`);
  },
  async binary(c) {
    const sent = Buffer.alloc(1024, 0).map((_, i) => i % 256);
    const got = await echo(c, sent, true);
    check(got.isBinary && Buffer.compare(got.data, sent) === 0, 'binary echo differs');
  },
  async large(c) {
    const sent = crypto.randomBytes(1 << 20);
    const got = await echo(c, sent, true);
    check(got.isBinary && Buffer.compare(got.data, sent) === 0,
          `1 MiB echo differs (got ${got.data.length} bytes)`);
  },
  async fragmented(c) {
    const parts = ['frag-1 ', 'κόσμε ', 'frag-3 ', 'frag-4'];
    parts.forEach((part, i) => c.ws.send(part, { binary: false, fin: i === parts.length - 1 }));
    const got = await c.next();
    check(!got.isBinary && got.data.toString('utf8') === parts.join(''),
          `fragmented echo: got ${got.data}`);
  },
  async ping(c) {
    const payload = Buffer.from('ping-payload');
    const pong = withTimeout(new Promise((resolve) => c.ws.once('pong', resolve)), 'the pong');
    c.ws.ping(payload);
    const got = await pong;
    check(Buffer.compare(got, payload) === 0, `pong payload: got ${got}`);
  },
  async close(c) {
    const { code } = await c.close(4000, 'bye');
    check(code === 4000, `close code seen by the client: ${code}`);
  },
  // Against a server with a short idle timeout (ws_echo --idle-timeout-ms 600): the client sends
  // nothing, answers the server's keep-alive pings by itself, and is still open and echoed after
  // several idle timeouts.
  async keepalive(c) {
    let pings = 0;
    const enough = new Promise((resolve, reject) => {
      c.ws.on('ping', (data) => {
        if (data.toString() !== KEEPALIVE_PAYLOAD) {
          reject(new Error(`unexpected ping payload ${data}`));
        } else if (++pings === KEEPALIVE_PINGS) {
          resolve();
        }
      });
      c.closed.then(({ code }) => reject(new Error(`closed with ${code} after ${pings} pings`)));
    });
    await withTimeout(enough, `${KEEPALIVE_PINGS} keep-alive pings`, 20000);
    const got = await echo(c, 'still here', false);
    check(got.data.toString('utf8') === 'still here', `echo after the pings: got ${got.data}`);
  },
  // Against ws_echo --subprotocols graphql-transport-ws,mqtt: of the client's offer (mqtt,
  // graphql-transport-ws) the server picks its own first choice. To an offer it speaks none of the
  // server answers 101 without a subprotocol (RFC 6455 §4.2.2), which ws, a strict client, then
  // fails itself; without an offer the WebSocket opens with none.
  // Against ws_echo --deflate: permessage-deflate is agreed, and text and binary messages of
  // 20 B, 1 KiB, 64 KiB and 1 MiB, compressed both ways, echo back intact.
  async deflate(c) {
    check(/^permessage-deflate/.test(c.ws.extensions), `extensions agreed: '${c.ws.extensions}'`);
    for (const size of [20, 1024, 64 * 1024, 1 << 20]) {
      const text = `restws deflate ${size} `.repeat(Math.ceil(size / 10)).slice(0, size);
      const gotText = await echo(c, text, false);
      check(gotText.data.toString('utf8') === text, `compressed text echo of ${size} bytes`);
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i += 1) data[i] = (i * 7) % 251;
      const gotData = await echo(c, data, true);
      check(Buffer.compare(gotData.data, data) === 0, `compressed binary echo of ${size} bytes`);
    }
  },

  async subprotocol(c, url) {
    check(c.ws.protocol === SERVER_SUBPROTOCOLS[0], `agreed subprotocol: '${c.ws.protocol}'`);
    const got = await echo(c, 'over graphql-transport-ws', false);
    check(got.data.toString('utf8') === 'over graphql-transport-ws', `echo: got ${got.data}`);
    const unmatched = new Connection(url, ['xmpp']);
    try {
      await unmatched.open();
      throw new Error(`offer xmpp opened with subprotocol '${unmatched.ws.protocol}'`);
    } catch (err) {
      check(/no subprotocol/.test(err.message), `offer xmpp: ${err.message}`);
    } finally {
      unmatched.ws.terminate();
    }
    const none = new Connection(url);
    try {
      await none.open();
      check(none.ws.protocol === '', `no offer, agreed: '${none.ws.protocol}'`);
      const { code } = await none.close(1000);
      check(code === 1000, `normal close answered with ${code}`);
    } finally {
      none.ws.terminate();
    }
  },
};
// Cases run when none is named: those that need no server flag.
const defaultCases = ['text', 'binary', 'large', 'fragmented', 'ping', 'close'];

async function run(url, name) {
  const c = new Connection(url, OFFERS[name] || [], OPTIONS[name] || {});
  await c.open();
  try {
    await cases[name](c, url);
    if (name !== 'close') {
      const { code } = await c.close(1000);
      check(code === 1000, `normal close answered with ${code}`);
    }
  } finally {
    c.ws.terminate();
  }
  if (c.error) throw c.error;
  return c.tlsVersion;
}

// Takes `--name VALUE` out of args; returns VALUE (undefined when absent).
function takeOption(args, name) {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  if (at + 1 >= args.length) throw new Error(`${name} needs a value`);
  return args.splice(at, 2)[1];
}

async function main() {
  const args = process.argv.slice(2);
  let url;
  let cafile;
  try {
    url = takeOption(args, '--url') || 'ws://localhost:8080/chat';
    cafile = takeOption(args, '--cafile');
    if (cafile && !url.startsWith('wss://')) throw new Error('--cafile needs a wss:// URL');
    if (cafile) TLS_OPTIONS.ca = fs.readFileSync(cafile);
  } catch (err) {
    console.error(`interop.node: ${err.message}`);
    return 2;
  }
  const names = args.length ? args : defaultCases;
  const unknown = names.filter((n) => !(n in cases));
  if (unknown.length) {
    console.error(`unknown case(s): ${unknown.join(' ')}; known: ${Object.keys(cases).join(' ')}`);
    return 2;
  }
  const version = require('ws/package.json').version;
  let failed = 0;
  for (const name of names) {
    try {
      const tls = await run(url, name);
      console.log(`node ws ${version}: ${name} OK${tls ? ` (${tls})` : ''}`);
    } catch (err) {
      failed += 1;
      console.log(`node ws ${version}: ${name} FAILED: ${err.message}`);
    }
  }
  console.log(`interop.node: ${names.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((status) => process.exit(status));
