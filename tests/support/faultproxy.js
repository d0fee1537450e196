#!/usr/bin/env node
// faultproxy: a fault-injecting HTTP/1.1 proxy for the dredge tests (never shipped).
//
// It sits on 127.0.0.1 between a client and the test S3 server and, for a configurable share of
// requests chosen by a seeded PRNG, answers 500 InternalError, 503 SlowDown (with or without
// Retry-After), resets the connection before the body is read or after the upstream answered,
// truncates a response body (Content-Length unchanged), or delays the response headers.
// Everything else is forwarded untouched: request line, headers (Host and Authorization
// included, so SigV4 still verifies upstream) and bodies, streamed both ways with backpressure.
//
// Why Node.js: it is already the test servers' runtime, its http module gives keep-alive,
// 100-continue, chunked bodies and socket resets (resetAndDestroy) for free, and the whole tool
// stays one small file with no build step and no npm package beyond Node's standard library.
//
// Contract the tests rely on (docs/testing.md has the flags and the wire form of each fault):
// - Two PRNG draws per proxied request, in arrival order: the same seed and request sequence
//   give the same faults. Only methods in --methods are eligible.
// - Counters are exact: a fault is counted before the client can observe it, so after a client
//   saw its response (or its reset), GET /__faultproxy/stats already includes it. That control
//   request also writes the stats file; the file is also written at exit, on SIGUSR1 and shortly
//   after each request.
// - One log line per injected fault; the Authorization header and query-string signatures are
//   never written anywhere.
// - It never hangs a test: idle timeouts on both sides, --max-seconds, and --parent-pid (exit
//   when that process is gone).
'use strict';

const fs = require('fs');
const http = require('http');

const FAULTS = ['500', '503', '503-retry-after', 'reset-before', 'reset-after', 'truncate', 'slow'];
const CONTROL_PREFIX = '/__faultproxy/'; // bucket names cannot hold '_': never a real request

function usage(msg) {
  process.stderr.write(`faultproxy: ${msg}\nrun with --help for the flags\n`);
  process.exit(2);
}

const HELP = `usage: faultproxy.js --upstream http://127.0.0.1:PORT [flags]
  --config FILE          JSON object with any of the flags below (snake_case keys); flags win
  --port N               listen port on 127.0.0.1 (0 = any free port; default 0)
  --port-file FILE       write the bound port here once listening
  --rate R --faults L    total fault rate R in [0,1], split evenly over the comma list L
                         (${FAULTS.join(',')}; "all" = every one)
  --fault-rate NAME=R    rate of one fault (repeatable; adds to --rate's share)
  --seed N               PRNG seed (default 1)
  --methods L            comma list of methods eligible for faults (default: all)
  --retry-after S        seconds sent in Retry-After by 503-retry-after (default 1)
  --slow-ms N            header delay of the slow fault (default 1500)
  --timeout-ms N         idle timeout on client and upstream sockets (default 30000)
  --stats-file FILE      counters as JSON (at exit, on SIGUSR1, on GET ${CONTROL_PREFIX}stats)
  --log-file FILE        one line per injected fault
  --max-seconds N        exit after N seconds whatever happens (default 1800)
  --parent-pid PID       exit when this process is gone (0 = do not watch)
`;

function parseConfig(argv) {
  const cfg = {
    upstream: '', port: 0, port_file: '', rate: 0, faults: [], fault_rates: {}, seed: 1,
    methods: [], retry_after: 1, slow_ms: 1500, timeout_ms: 30000, stats_file: '', log_file: '',
    max_seconds: 1800, parent_pid: 0,
  };
  const flags = {};
  const flagRates = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { process.stdout.write(HELP); process.exit(0); }
    if (!a.startsWith('--')) usage(`unexpected argument '${a}'`);
    let name = a.slice(2), value;
    const eq = name.indexOf('=');
    if (eq >= 0 && name !== 'fault-rate') { value = name.slice(eq + 1); name = name.slice(0, eq); }
    if (value === undefined) {
      if (i + 1 >= argv.length) usage(`flag --${name} needs a value`);
      value = argv[++i];
    }
    if (name === 'fault-rate') flagRates.push(value);
    else flags[name.replace(/-/g, '_')] = value;
  }
  if (flags.config !== undefined) {
    let file;
    try { file = JSON.parse(fs.readFileSync(flags.config, 'utf8')); } catch (e) {
      usage(`cannot read config file ${flags.config}: ${e.message}`);
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) usage('config file must hold a JSON object');
    Object.assign(flags, file, Object.fromEntries(Object.entries(flags).filter(([k]) => k !== 'config')));
    delete flags.config;
  }
  for (const [k, v] of Object.entries(flags)) {
    if (!(k in cfg)) usage(`unknown flag --${k.replace(/_/g, '-')}`);
    if (typeof cfg[k] === 'number') {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n) || n < 0) usage(`--${k.replace(/_/g, '-')} needs a non-negative number, got '${v}'`);
      cfg[k] = n;
    } else if (Array.isArray(cfg[k])) {
      cfg[k] = (Array.isArray(v) ? v : String(v).split(',')).map(s => String(s).trim()).filter(Boolean);
    } else if (k === 'fault_rates') {
      if (typeof v !== 'object' || v === null) usage('fault_rates must be an object {name: rate}');
      cfg[k] = v;
    } else {
      cfg[k] = String(v);
    }
  }
  for (const fr of flagRates) {
    const eq = fr.indexOf('=');
    if (eq < 0) usage(`--fault-rate needs NAME=RATE, got '${fr}'`);
    cfg.fault_rates[fr.slice(0, eq)] = fr.slice(eq + 1);
  }
  if (cfg.faults.length === 1 && cfg.faults[0] === 'all') cfg.faults = FAULTS.slice();
  if (cfg.rate > 1) usage(`--rate must be within [0,1], got ${cfg.rate}`);
  if (cfg.rate > 0 && cfg.faults.length === 0) usage('--rate needs --faults (or "all")');
  // Effective per-fault rates: --rate spread evenly over --faults, plus explicit rates.
  const rates = Object.fromEntries(FAULTS.map(f => [f, 0]));
  for (const f of cfg.faults) {
    if (!(f in rates)) usage(`unknown fault '${f}' (known: ${FAULTS.join(', ')})`);
    rates[f] += cfg.rate / cfg.faults.length;
  }
  for (const [f, r] of Object.entries(cfg.fault_rates)) {
    const n = Number(r);
    if (!(f in rates)) usage(`unknown fault '${f}' (known: ${FAULTS.join(', ')})`);
    if (r === '' || !Number.isFinite(n) || n < 0 || n > 1) usage(`rate of ${f} must be within [0,1], got '${r}'`);
    rates[f] += n;
  }
  const total = Object.values(rates).reduce((a, b) => a + b, 0);
  if (total > 1 + 1e-9) usage(`fault rates add up to ${total}, more than 1`);
  cfg.rates = rates;
  cfg.methods = cfg.methods.map(m => m.toUpperCase());
  if (!cfg.upstream) usage('--upstream is required (e.g. http://127.0.0.1:4568)');
  let up;
  try { up = new URL(cfg.upstream); } catch { usage(`--upstream '${cfg.upstream}' is not a URL`); }
  // The tests must never contact anything but the loopback address.
  if (up.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(up.hostname)) {
    usage(`--upstream must be http:// on 127.0.0.1, got '${cfg.upstream}'`);
  }
  cfg.upstream_host = up.hostname.replace(/^\[|\]$/g, '');
  cfg.upstream_port = Number(up.port || 80);
  return cfg;
}

// mulberry32: tiny, fast, and identical on every Node version (Math.random cannot be seeded).
function makeRng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cfg = parseConfig(process.argv.slice(2));
const rng = makeRng(cfg.seed);
const stats = {
  version: 1,
  config: {
    upstream: cfg.upstream, seed: cfg.seed, rates: cfg.rates, methods: cfg.methods,
    retry_after: cfg.retry_after, slow_ms: cfg.slow_ms, timeout_ms: cfg.timeout_ms,
  },
  requests: 0,        // proxied requests received (control requests excluded)
  forwarded: 0,       // requests sent upstream
  upstream_connections: 0, // TCP connections opened to the upstream (keep-alive keeps it low)
  passed: 0,          // responses relayed whole and unchanged (no fault)
  faults: Object.fromEntries(FAULTS.map(f => [f, 0])),
  not_applicable: 0,  // truncate drawn for a response without a body: relayed unchanged
  upstream_errors: 0, // upstream unreachable or timed out: client got 502 or a closed socket
  client_aborts: 0,   // client went away before its response was complete
};

// ---- stats and log files -------------------------------------------------------------------
function writeStats() {
  if (!cfg.stats_file) return;
  const tmp = `${cfg.stats_file}.tmp${process.pid}`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(stats, null, 2) + '\n');
    fs.renameSync(tmp, cfg.stats_file);
  } catch (e) {
    process.stderr.write(`faultproxy: cannot write stats file ${cfg.stats_file}: ${e.message}\n`);
  }
}
let statsTimer = null;
function statsChanged() {
  if (statsTimer || !cfg.stats_file) return;
  statsTimer = setTimeout(() => { statsTimer = null; writeStats(); }, 200);
  statsTimer.unref();
}

// Signatures travel in the Authorization header (never logged) or, for presigned URLs, in the
// query string: blank those parameters.
function redactTarget(url) {
  return url.replace(/([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId)=)[^&]*/gi, '$1REDACTED');
}
function injected(fault, seq, req, detail) {
  stats.faults[fault]++;
  statsChanged();
  if (!cfg.log_file) return;
  const line = `${new Date().toISOString()} #${seq} fault=${fault} ${req.method} ${redactTarget(req.url)}${detail ? ' ' + detail : ''}\n`;
  try { fs.appendFileSync(cfg.log_file, line); } catch (e) {
    process.stderr.write(`faultproxy: cannot append to log file ${cfg.log_file}: ${e.message}\n`);
  }
}

// ---- faults ----------------------------------------------------------------------------------
function pickFault(method, u) {
  if (cfg.methods.length && !cfg.methods.includes(method)) return null;
  let acc = 0;
  for (const f of FAULTS) {
    acc += cfg.rates[f];
    if (u < acc) return f;
  }
  return null;
}

function xmlEscape(s) {
  return s.replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);
}

function sendError(req, res, seq, fault) {
  const slowDown = fault !== '500';
  const code = slowDown ? 'SlowDown' : 'InternalError';
  const message = slowDown ? 'Please reduce your request rate.' : 'We encountered an internal error. Please try again.';
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message} (injected by faultproxy)</Message>` +
    `<Resource>${xmlEscape(req.url.split('?')[0])}</Resource><RequestId>faultproxy-${seq}</RequestId></Error>`;
  const headers = { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) };
  if (fault === '503-retry-after') headers['Retry-After'] = String(cfg.retry_after);
  injected(fault, seq, req, fault === '503-retry-after' ? `retry-after=${cfg.retry_after}` : '');
  res.writeHead(slowDown ? 503 : 500, headers);
  res.end(body);
}

// Hop-by-hop headers belong to each connection; the proxy's own server sets them for its side.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'te', 'trailer', 'upgrade']);
function endToEndHeaders(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  }
  return out;
}

function hasBody(req, ures) {
  const len = Number(ures.headers['content-length']);
  return req.method !== 'HEAD' && ures.statusCode !== 204 && ures.statusCode !== 304 &&
    Number.isInteger(len) && len > 0;
}

// Sends the headers (Content-Length unchanged) and the first `cut` bytes, then closes the socket.
function relayTruncated(req, res, ures, cut) {
  const socket = req.socket;
  let sent = 0;
  const close = () => {
    ures.destroy();
    socket.end(); // flushes what was written, then FIN: the client sees EOF before Content-Length
    setTimeout(() => socket.destroy(), 2000).unref();
  };
  res.writeHead(ures.statusCode, ures.statusMessage, endToEndHeaders(ures.rawHeaders));
  res.flushHeaders();
  if (cut === 0) { close(); return; }
  ures.on('data', chunk => {
    if (sent >= cut) return;
    const part = chunk.length <= cut - sent ? chunk : chunk.subarray(0, cut - sent);
    sent += part.length;
    const ok = res.write(part);
    if (sent >= cut) close();
    else if (!ok) { ures.pause(); res.once('drain', () => ures.resume()); }
  });
}

function forward(req, res, seq, fault, v) {
  const upReq = http.request({
    host: cfg.upstream_host, port: cfg.upstream_port, method: req.method, path: req.url,
    headers: req.rawHeaders, setHost: false, agent: upstreamAgent,
  });
  stats.forwarded++;
  upReq.on('socket', s => {
    if (!upstreamSockets.has(s)) { upstreamSockets.add(s); stats.upstream_connections++; }
  });
  let done = false;
  upReq.setTimeout(cfg.timeout_ms, () => upReq.destroy(new Error(`no upstream activity for ${cfg.timeout_ms} ms`)));
  upReq.on('error', err => {
    if (done) return;
    done = true;
    stats.upstream_errors++;
    statsChanged();
    process.stderr.write(`faultproxy: #${seq} ${req.method} ${redactTarget(req.url)}: upstream failed: ${err.message}\n`);
    if (res.headersSent) { req.socket.destroy(); return; }
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>BadGateway</Code><Message>faultproxy: upstream failed: ${xmlEscape(err.message)}</Message></Error>`;
    res.writeHead(502, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body);
  });
  // A client that goes away mid-request must not leave the upstream request hanging.
  res.on('close', () => {
    if (!res.writableFinished && !done) {
      done = true;
      stats.client_aborts++;
      statsChanged();
      upReq.destroy();
    }
  });
  upReq.on('response', ures => {
    ures.on('error', err => { // the upstream died mid-response: the client loses it too
      if (!done) {
        done = true;
        stats.upstream_errors++;
        statsChanged();
        process.stderr.write(`faultproxy: #${seq}: upstream response failed: ${err.message}\n`);
      }
      req.socket.destroy();
    });
    if (fault === 'reset-after') {
      ures.resume();
      ures.on('end', () => {
        done = true;
        injected(fault, seq, req, `upstream-status=${ures.statusCode}`);
        req.socket.resetAndDestroy();
      });
      return;
    }
    if (fault === 'truncate') {
      if (hasBody(req, ures)) {
        const len = Number(ures.headers['content-length']);
        const cut = Math.min(len - 1, Math.floor(v * len));
        done = true;
        injected(fault, seq, req, `sent=${cut}/${len}`);
        relayTruncated(req, res, ures, cut);
        return;
      }
      stats.not_applicable++;
      fault = null;
    }
    const relay = () => {
      if (done) { ures.destroy(); return; }
      res.writeHead(ures.statusCode, ures.statusMessage, endToEndHeaders(ures.rawHeaders));
      ures.pipe(res);
      ures.on('end', () => {
        done = true;
        if (!fault) stats.passed++;
        statsChanged();
      });
    };
    if (fault === 'slow') {
      injected(fault, seq, req, `delay-ms=${cfg.slow_ms}`);
      setTimeout(relay, cfg.slow_ms);
    } else {
      relay();
    }
  });
  req.pipe(upReq);
}

function control(req, res) {
  const path = req.url.split('?')[0];
  req.resume();
  if (path === `${CONTROL_PREFIX}stats`) {
    writeStats();
    const body = JSON.stringify(stats, null, 2) + '\n';
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end(`faultproxy: unknown control path ${path} (try ${CONTROL_PREFIX}stats)\n`);
}

function handle(req, res, expectsContinue) {
  if (req.url.startsWith(CONTROL_PREFIX)) { control(req, res); return; }
  const seq = ++stats.requests;
  const u = rng(), v = rng(); // always two draws: the sequence depends on request order only
  const fault = pickFault(req.method, u);
  statsChanged();
  if (fault === 'reset-before') {
    injected(fault, seq, req, '');
    req.socket.resetAndDestroy();
    return;
  }
  if (expectsContinue) res.writeContinue();
  if (fault === '500' || fault === '503' || fault === '503-retry-after') {
    // Read the whole body first so the connection stays usable for the next request.
    req.on('end', () => sendError(req, res, seq, fault));
    req.resume();
    return;
  }
  try {
    forward(req, res, seq, fault, v);
  } catch (e) { // e.g. a header value Node refuses to send
    stats.upstream_errors++;
    process.stderr.write(`faultproxy: #${seq}: cannot forward: ${e.message}\n`);
    res.writeHead(502, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end(`faultproxy: cannot forward: ${e.message}\n`);
  }
}

// ---- server and lifetime ---------------------------------------------------------------------
// Free upstream sockets are dropped before s3rver's 5 s keep-alive timeout would close them, so
// a request is never sent on a socket the server is closing (that would look like a fault).
const upstreamAgent = new http.Agent({ keepAlive: true, timeout: 4000, maxSockets: 64 });
const upstreamSockets = new WeakSet();

const server = http.createServer();
server.on('request', (req, res) => handle(req, res, false));
server.on('checkContinue', (req, res) => handle(req, res, true));
server.on('clientError', (err, socket) => socket.destroy());
server.headersTimeout = cfg.timeout_ms;
server.requestTimeout = 0; // large bodies may take long; idleness is what --timeout-ms bounds
server.keepAliveTimeout = 60000;
server.setTimeout(cfg.timeout_ms);

// A dead process stays a zombie until reaped (slowly, by some init processes), and kill(pid, 0)
// succeeds on a zombie: read its state from /proc where there is one.
function processAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch (e) {
    if (e.code !== 'ENOENT' || fs.existsSync('/proc/self/stat')) return e.code !== 'ENOENT';
  }
  try { process.kill(pid, 0); return true; } catch (e) { return e.code !== 'ESRCH'; }
}

let exiting = false;
function exit(code, why) {
  if (exiting) return;
  exiting = true;
  if (why) process.stderr.write(`faultproxy: exiting: ${why}\n`);
  writeStats();
  process.exit(code);
}
process.on('SIGTERM', () => exit(0, 'SIGTERM'));
process.on('SIGINT', () => exit(0, 'SIGINT'));
process.on('SIGUSR1', writeStats);
process.on('uncaughtException', e => { process.stderr.write(`faultproxy: ${e.stack}\n`); exit(1); });
setTimeout(() => exit(0, `--max-seconds ${cfg.max_seconds} reached`), cfg.max_seconds * 1000);
if (cfg.parent_pid) {
  setInterval(() => {
    if (!processAlive(cfg.parent_pid)) exit(0, `parent ${cfg.parent_pid} is gone`);
  }, 500).unref();
}

server.on('error', e => { process.stderr.write(`faultproxy: cannot listen: ${e.message}\n`); exit(1); });
server.listen(cfg.port, '127.0.0.1', () => {
  const port = server.address().port;
  writeStats();
  if (cfg.port_file) {
    fs.writeFileSync(`${cfg.port_file}.tmp`, `${port}\n`);
    fs.renameSync(`${cfg.port_file}.tmp`, cfg.port_file);
  }
  process.stderr.write(`faultproxy: listening on 127.0.0.1:${port}, upstream ${cfg.upstream}\n`);
});
