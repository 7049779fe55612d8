// The console benchmark's client: one process, one figure, one JSON line on stdout.
// Usage: node client.mjs '<spec JSON>'
//   spec.target: {"kind": "tcp", "host", "port"}                         raw TCP to the upstream
//                {"kind": "ws", "url"}                                   a WebSocket URL used as it is
//                {"kind": "ws", "console": "<.../console URL>", "bearer", "url"?}
//                    each session first asks the gateway for a console token (GET .../console, not timed); the
//                    session opens info.ws_url, or spec.target.url with {token} replaced when the path is forced
//   spec.figure: "s2c" | "c2s" (MiB/s over spec.seconds after spec.warmup s), "rtt" (spec.count 64-byte round
//                trips after 10% warm-up; µs), "setup" (spec.count set-ups opened at spec.rate per second; ms from
//                opening the connection to the upstream's first byte), "idle" (opens spec.count sessions, prints
//                {"ready": n} and holds them until stdin closes or SIGTERM)
// Everything the upstream sends is read as one byte stream (a proxy may split or join frames).
import net from 'node:net';
import WebSocket from 'ws';
import { requireNativeBufferUtil } from './native.mjs';

const FRAME = Buffer.alloc(64 * 1024, 0x33);
const GREETING_LENGTH = 12;
const MiB = 1024 * 1024;

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

async function consoleUrl(target) {
  const res = await fetch(target.console, { headers: { Authorization: `Bearer ${target.bearer}` } });
  if (res.status !== 200) throw new Error(`console token: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  const info = await res.json();
  return target.url ? target.url.replace('{token}', encodeURIComponent(info.token)) : info.ws_url;
}

/**
 * Adds onData to a connection, keeping bytes that arrive before a listener is set: a server that speaks first may
 * have its first bytes read together with the upgrade answer, in the same tick as 'open'.
 */
function early(conn) {
  let listener = null;
  const queued = [];
  conn.deliver = (b) => { if (listener) listener(b); else queued.push(b); };
  conn.onData = (fn) => { listener = fn; queued.splice(0).forEach(fn); };
  return conn;
}

/** Resolves to a connection {write(buf, cb), close(), onData} once open; url may be prepared beforehand. */
function connect(target, url) {
  return new Promise((resolve, reject) => {
    if (target.kind === 'tcp') {
      const sock = net.connect({ host: target.host, port: target.port, noDelay: true });
      const conn = early({ write: (b, cb) => sock.write(b, cb), close: () => sock.destroy() });
      sock.on('data', conn.deliver);
      sock.once('connect', () => resolve(conn));
      sock.once('error', reject);
      return;
    }
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * MiB });
    ws.binaryType = 'nodebuffer';
    const conn = early({ write: (b, cb) => ws.send(b, { binary: true }, cb), close: () => ws.terminate() });
    ws.on('message', conn.deliver);
    ws.once('open', () => { ws.on('error', () => {}); resolve(conn); });
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
  });
}

async function open(target) {
  const url = target.kind === 'ws' ? (target.console ? await consoleUrl(target) : target.url) : null;
  return connect(target, url);
}

/** Opens a session and waits for the greeting; returns the connection and a byte-stream reader after it. */
async function session(target, mode) {
  const conn = await open(target);
  let seen = 0;
  let listener = null;
  let greeted;
  const greeting = new Promise((r) => { greeted = r; });
  conn.onData((buf) => {
    if (seen < GREETING_LENGTH) {
      const take = Math.min(GREETING_LENGTH - seen, buf.length);
      seen += take;
      buf = buf.subarray(take);
      if (seen === GREETING_LENGTH) greeted();
    }
    if (buf.length && listener) listener(buf);
  });
  await greeting;
  conn.write(Buffer.from(mode, 'latin1'));
  return { conn, onBytes: (fn) => { listener = fn; } };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function s2c(spec) {
  const { conn, onBytes } = await session(spec.target, 'S');
  let bytes = 0;
  onBytes((b) => { bytes += b.length; });
  await sleep(spec.warmup * 1000);
  const b0 = bytes, t0 = now();
  await sleep(spec.seconds * 1000);
  const b1 = bytes, t1 = now();
  conn.close();
  return { value: (b1 - b0) / MiB / ((t1 - t0) / 1000), unit: 'MiB/s' };
}

async function c2s(spec) {
  const { conn, onBytes } = await session(spec.target, 'K');
  let acked = 0n, pending = Buffer.alloc(0);
  onBytes((b) => {
    pending = pending.length ? Buffer.concat([pending, b]) : b;
    while (pending.length >= 8) { acked = pending.readBigUInt64BE(0); pending = pending.subarray(8); }
  });
  let running = true, inflight = 0;
  const pump = () => {
    while (running && inflight < 8) {
      inflight++;
      conn.write(FRAME, () => { inflight--; pump(); });
    }
  };
  pump();
  await sleep(spec.warmup * 1000);
  const a0 = acked, t0 = now();
  await sleep(spec.seconds * 1000);
  const a1 = acked, t1 = now();
  running = false;
  conn.close();
  return { value: Number(a1 - a0) / MiB / ((t1 - t0) / 1000), unit: 'MiB/s' };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function rtt(spec) {
  const { conn, onBytes } = await session(spec.target, 'E');
  const msg = Buffer.alloc(64, 0x41);
  const warm = Math.ceil(spec.count / 10);
  const samples = [];
  let got = 0, t0 = 0, done;
  onBytes((b) => {
    got += b.length;
    if (got >= 64) { got -= 64; done(); }
  });
  for (let i = 0; i < warm + spec.count; i++) {
    const back = new Promise((r) => { done = r; });
    t0 = now();
    conn.write(msg);
    await back;
    if (i >= warm) samples.push((now() - t0) * 1000);
  }
  conn.close();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), unit: 'us', n: samples.length };
}

async function setup(spec) {
  const urls = [];
  if (spec.target.kind === 'ws' && spec.target.console) {
    // tokens are fetched before the clock starts: the figure is upgrade + token consume to first byte
    for (let i = 0; i < spec.count; i++) urls.push(await consoleUrl(spec.target));
  }
  const samples = [];
  let failures = 0;
  const start = now();
  const one = (i) => new Promise((resolve) => {
    const t0 = now();
    connect(spec.target, urls[i] ?? spec.target.url).then((conn) => {
      conn.onData(() => { samples.push(now() - t0); conn.close(); resolve(); });
    }, () => { failures++; resolve(); });
  });
  const all = [];
  for (let i = 0; i < spec.count; i++) {
    const due = start + (i * 1000) / spec.rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    all.push(one(i));
  }
  const scheduled = now();
  await Promise.race([Promise.all(all), sleep(30000)]);
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), unit: 'ms', n: samples.length, failures,
    rate: spec.count / ((scheduled - start) / 1000) };
}

async function idle(spec) {
  const held = [];
  let failures = 0;
  const batch = 50; // sessions opened at once: 200 at once time out the proxy's store calls on a loaded 2-core machine
  for (let i = 0; i < spec.count; i += batch) {
    const n = Math.min(batch, spec.count - i);
    await Promise.all(Array.from({ length: n }, () => session(spec.target, 'I')
      .then((s) => held.push(s.conn), () => { failures++; })));
  }
  process.stdout.write(JSON.stringify({ ready: held.length, failures }) + '\n');
  await new Promise((r) => { process.stdin.on('end', r); process.stdin.on('close', r); process.on('SIGTERM', r); process.stdin.resume(); });
  held.forEach((c) => c.close());
  return { held: held.length, failures };
}

requireNativeBufferUtil();
const spec = JSON.parse(process.argv[2]);
const run = { s2c, c2s, rtt, setup, idle }[spec.figure];
if (!run) { console.error(`unknown figure ${spec.figure}`); process.exit(2); }
run(spec).then((r) => { process.stdout.write(JSON.stringify({ figure: spec.figure, ...r }) + '\n'); process.exit(0); },
  (e) => { console.error(`client: ${e.message}`); process.exit(1); });
