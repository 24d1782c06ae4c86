#!/usr/bin/env node
// Interop: a real browser, Debian's headless Chromium (/usr/bin/chromium) driven through
// playwright-core (tests/interop/package-lock.json pins it; it downloads no browser), against the
// echo server. Each case opens its own page, and in it a WebSocket to ws://127.0.0.1:8080/chat
// (ws_echo listens on localhost's IPv4 address), and asserts what a web page sees: the extensions
// agreed, text and binary echoes byte for byte, the clean close.
// Usage: node chromium_client.js [--url URL] [--cafile FILE | --insecure] [--fetch URL]
//                                [--page URL] [CASE...]
//        (CASE: plain against ws_echo without flags, deflate against one started with --deflate;
//        default: plain)
// Over TLS (--url wss://127.0.0.1:8080/chat): Chromium trusts a certificate whose public key is
// that of a certificate in --cafile (--ignore-certificate-errors-spki-list, no system-wide
// install): the server must send that certificate, e.g. a chain file that ends with the CA, and
// the host name is then not checked. --insecure instead accepts any certificate (the browser
// context's ignoreHTTPSErrors). --fetch URL first has the page (about:blank) fetch URL (e.g.
// https://127.0.0.1:8080/, no-cors) and requires an HTTP answer, any status (ws_echo serves no
// page: 404), over TLS for https. --page URL instead loads URL as the page and opens the WebSocket
// from it; Chromium fails a navigation whose answer is an error status with an empty body, so
// that needs a server that sends a body (uWebSockets' 404 has one, ws_echo's has none).
// Needs /usr/bin/chromium (Debian package chromium) and `npm ci --prefix tests/interop`;
// scripts/deps.sh installs both.
'use strict';

const crypto = require('crypto');
const fs = require('fs');

const CHROMIUM = '/usr/bin/chromium';
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (err) {
  console.error('interop.chromium: the playwright-core package is missing; run scripts/deps.sh ' +
                '(npm ci --prefix tests/interop)');
  process.exit(2);
}
try {
  fs.accessSync(CHROMIUM, fs.constants.X_OK);
} catch (err) {
  console.error(`interop.chromium: ${CHROMIUM} is missing; run scripts/deps.sh ` +
                '(Debian package chromium)');
  process.exit(2);
}

// Running as root needs --no-sandbox; the background services would otherwise try to reach the
// network (and QUIC to open UDP sockets) at start-up, which a closed network refuses.
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic',
                       '--no-first-run', '--disable-background-networking',
                       '--disable-component-update', '--disable-sync'];
const LAUNCH_TIMEOUT_MS = 30000;
// Bounds one wait inside the page: the handshake, one echo, the close handshake.
const WAIT_TIMEOUT_MS = 10000;
// Bounds a whole case seen from Node, should the page itself stop answering.
const CASE_TIMEOUT_MS = 45000;
// Each is sent once as text and once as binary.
const SIZES = [20, 1024, 64 * 1024, 1 << 20];
// What ws.extensions must be per case: the whole attribute (Chromium states the server's answer).
const EXPECTED_EXTENSIONS = {
  plain: (ext) => ext === '',
  deflate: (ext) => /^permessage-deflate(;|$)/.test(ext),
};
const EXPECTED_TEXT = {
  plain: "'' (no extension: ws_echo without --deflate)",
  deflate: 'permessage-deflate (ws_echo --deflate)',
};

function withTimeout(promise, what, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Runs in the page (serialised by Playwright: it must use nothing from this file). Opens the
// WebSocket, echoes a text and a binary message of each size, closes with 1000; returns what it
// saw. Each wait is bounded by waitMs; a failure ends the run and is returned as `error`.
async function inPage({ url, sizes, waitMs }) {
  const result = { extensions: null, protocol: null, echoes: [], close: null, error: null };
  const queue = [];
  const waiters = [];
  let closed = null;
  let closedResolve;
  const closedPromise = new Promise((resolve) => { closedResolve = resolve; });
  const bounded = (promise, what) => {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${waitMs} ms waiting for ${what}`)),
                         waitMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  };
  // Text: a UTF-8 prefix (2- and 4-byte sequences), then ASCII to exactly `size` bytes;
  // compressible. Binary: xorshift32 bytes, which deflate cannot shrink.
  const encoder = new TextEncoder();
  const makeText = (size) => {
    const prefix = 'κόσμε 😀 ';
    const head = encoder.encode(prefix).length;
    const fill = `restws chromium ${size} `.repeat(Math.ceil(size / 10) + 1);
    return size >= head ? prefix + fill.slice(0, size - head) : fill.slice(0, size);
  };
  const makeBinary = (size) => {
    const bytes = new Uint8Array(size);
    let x = 0x9e3779b9 ^ size;
    for (let i = 0; i < size; i += 1) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    return bytes;
  };
  const next = (what) => {
    if (queue.length) return Promise.resolve(queue.shift());
    if (closed) return Promise.reject(new Error(`connection closed (code ${closed.code}) ` +
                                                `instead of ${what}`));
    return bounded(new Promise((resolve, reject) => waiters.push({ resolve, reject, what })), what);
  };

  let ws;
  try {
    ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => {
      const waiter = waiters.shift();
      if (waiter) waiter.resolve(event.data);
      else queue.push(event.data);
    };
    ws.onclose = (event) => {
      closed = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      waiters.splice(0).forEach((w) => w.reject(
        new Error(`connection closed (code ${event.code}) instead of ${w.what}`)));
      closedResolve(closed);
    };
    await bounded(new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`the handshake with ${url} failed`));
    }), 'the handshake');
    ws.onerror = null;
    result.extensions = ws.extensions;
    result.protocol = ws.protocol;

    for (const size of sizes) {
      const text = makeText(size);
      const textBytes = encoder.encode(text).length;
      if (textBytes !== size) throw new Error(`test bug: text of ${textBytes} bytes, not ${size}`);
      ws.send(text);
      const gotText = await next(`the echo of the ${size} B text message`);
      const textEcho = { kind: 'text', size, ok: false, detail: '' };
      if (typeof gotText !== 'string') {
        textEcho.detail = 'came back as binary';
      } else if (gotText !== text) {
        let at = 0;
        while (at < text.length && gotText[at] === text[at]) at += 1;
        textEcho.detail = `${encoder.encode(gotText).length} B back, differs from character ${at}`;
      } else {
        textEcho.ok = true;
      }
      result.echoes.push(textEcho);

      const data = makeBinary(size);
      ws.send(data);
      const gotData = await next(`the echo of the ${size} B binary message`);
      const binaryEcho = { kind: 'binary', size, ok: false, detail: '' };
      if (!(gotData instanceof ArrayBuffer)) {
        binaryEcho.detail = `came back as ${typeof gotData}`;
      } else {
        const got = new Uint8Array(gotData);
        let at = 0;
        while (at < size && at < got.length && got[at] === data[at]) at += 1;
        if (got.length !== size || at !== size) {
          binaryEcho.detail = `${got.length} B back, differs from byte ${at}`;
        } else {
          binaryEcho.ok = true;
        }
      }
      result.echoes.push(binaryEcho);
    }

    ws.close(1000);
    result.close = await bounded(closedPromise, 'the close handshake');
  } catch (err) {
    result.error = err.message;
    if (ws && !closed) ws.close();
  }
  return result;
}

function problems(name, result) {
  const found = [];
  if (result.error) found.push(result.error);
  if (result.extensions !== null && !EXPECTED_EXTENSIONS[name](result.extensions)) {
    found.push(`extensions agreed: '${result.extensions}', expected ${EXPECTED_TEXT[name]}`);
  }
  for (const echo of result.echoes) {
    if (!echo.ok) found.push(`${echo.kind} echo of ${echo.size} B: ${echo.detail}`);
  }
  const expectedEchoes = SIZES.length * 2;
  if (!result.error && result.echoes.length !== expectedEchoes) {
    found.push(`${result.echoes.length} echoes checked, expected ${expectedEchoes}`);
  }
  if (result.close && (result.close.code !== 1000 || !result.close.wasClean)) {
    found.push(`close seen by the page: code ${result.close.code}, ` +
               `wasClean ${result.close.wasClean}; expected 1000, clean`);
  }
  return found;
}

// The base64 SHA-256 of the SubjectPublicKeyInfo of each certificate in a PEM file: what
// --ignore-certificate-errors-spki-list takes.
function spkiHashes(file) {
  const pems = fs.readFileSync(file, 'utf8')
    .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) || [];
  if (!pems.length) throw new Error(`no certificate in ${file}`);
  return pems.map((pem) => crypto.createHash('sha256')
    .update(new crypto.X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64'));
}

// Describes a Playwright Response: its status and, over TLS, the protocol.
async function describeResponse(what, url, response) {
  const tls = await response.securityDetails();
  if (url.startsWith('https:') && !tls) throw new Error(`${what} ${url} came without TLS details`);
  return `; ${what} ${url}: HTTP ${response.status()}${tls ? `, ${tls.protocol}` : ''}`;
}

// Has the page fetch fetchUrl (when given; no-cors, so any origin and status will do) and awaits
// the browser's answer to it; returns what to say about it.
async function fetchFromPage(page, fetchUrl) {
  if (!fetchUrl) return '';
  const href = new URL(fetchUrl).href;
  const answer = page.waitForResponse((r) => r.url() === href, { timeout: WAIT_TIMEOUT_MS })
    .catch(() => null);
  const error = await withTimeout(page.evaluate(async (url) => {
    try {
      await fetch(url, { mode: 'no-cors', cache: 'no-store' });
      return null;
    } catch (err) {
      return `${err.name}: ${err.message}`;
    }
  }, href), `fetch ${href}`, WAIT_TIMEOUT_MS);
  if (error) throw new Error(`fetch ${href} from the page failed: ${error}`);
  const response = await answer;  // the response event precedes fetch's resolution
  if (!response) throw new Error(`fetch ${href}: no answer within ${WAIT_TIMEOUT_MS} ms`);
  return describeResponse('fetch', href, response);
}

// Loads pageUrl (when given) in `page`; returns what to say about it.
async function loadPage(page, pageUrl) {
  if (!pageUrl) return '';
  let response;
  try {
    response = await page.goto(pageUrl, { timeout: WAIT_TIMEOUT_MS });
  } catch (err) {
    throw new Error(err.message.split('\n')[0]);  // without Playwright's call log
  }
  if (!response) throw new Error(`loading ${pageUrl} gave no response`);
  return describeResponse('page', pageUrl, response);
}

async function run(context, url, name, options) {
  const page = await context.newPage();
  try {
    const pageNote = await loadPage(page, options.pageUrl) +
                     await fetchFromPage(page, options.fetchUrl);
    const result = await withTimeout(page.evaluate(inPage, { url, sizes: SIZES,
                                                             waitMs: WAIT_TIMEOUT_MS }),
                                     `the page to finish case ${name}`, CASE_TIMEOUT_MS);
    const found = problems(name, result);
    if (found.length) throw new Error(found.join('; ') + pageNote);
    result.pageNote = pageNote;
    return result;
  } finally {
    await page.close().catch(() => {});
  }
}

// Takes `--name VALUE` out of args; returns VALUE (undefined when absent).
function takeOption(args, name) {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  if (at + 1 >= args.length) throw new Error(`${name} needs a value`);
  return args.splice(at, 2)[1];
}

function takeFlag(args, name) {
  const at = args.indexOf(name);
  if (at >= 0) args.splice(at, 1);
  return at >= 0;
}

async function main() {
  const args = process.argv.slice(2);
  let url;
  let insecure;
  const options = {};
  const launchArgs = [...CHROMIUM_ARGS];
  try {
    url = takeOption(args, '--url') || 'ws://127.0.0.1:8080/chat';
    options.pageUrl = takeOption(args, '--page');
    options.fetchUrl = takeOption(args, '--fetch');
    insecure = takeFlag(args, '--insecure');
    const cafile = takeOption(args, '--cafile');
    if (cafile && insecure) throw new Error('--cafile and --insecure exclude each other');
    if (cafile) {
      launchArgs.push(`--ignore-certificate-errors-spki-list=${spkiHashes(cafile).join(',')}`);
    }
  } catch (err) {
    console.error(`interop.chromium: ${err.message}`);
    return 2;
  }
  const names = args.length ? args : ['plain'];
  const unknown = names.filter((n) => !(n in EXPECTED_EXTENSIONS));
  if (unknown.length) {
    console.error(`unknown case(s): ${unknown.join(' ')}; ` +
                  `known: ${Object.keys(EXPECTED_EXTENSIONS).join(' ')}`);
    return 2;
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: launchArgs,
                                      timeout: LAUNCH_TIMEOUT_MS });
  } catch (err) {
    console.log(`interop.chromium: cannot launch ${CHROMIUM}: ${err.message}`);
    return 1;
  }
  const version = `chromium ${browser.version()}`;
  let failed = 0;
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: insecure });
    for (const name of names) {
      try {
        const result = await run(context, url, name, options);
        console.log(`${version}: ${name} OK (extensions '${result.extensions}'${result.pageNote})`);
      } catch (err) {
        failed += 1;
        console.log(`${version}: ${name} FAILED: ${err.message}`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`interop.chromium: ${names.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((status) => process.exit(status), (err) => {
  console.log(`interop.chromium: ${err.stack || err}`);
  process.exit(1);
});
