// The console suite: runs client.mjs once per (round, figure, path), paths interleaved within each round
// (raw, websockify, proxy, gateway, ceiling, raw, websockify, ...), then writes the rows.
// Usage: node console.mjs CONFIG.json   (written by infra/bench/bench.sh; see there for the fields)
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { row, run, writeRows, log, median } from './figures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ORDER = ['raw', 'websockify', 'proxy', 'gateway', 'ceiling'];
const paths = ORDER.filter((p) => cfg.paths[p]);
const LABEL = { raw: 'raw TCP (a)', websockify: 'websockify (b)', proxy: 'console proxy (c)', gateway: 'gateway route (d)',
  ceiling: 'bare ws echo (client alone)' };

async function measure(figure, target, extra) {
  const spec = { target, figure, seconds: cfg.seconds, warmup: cfg.warmup, count: extra.count, rate: extra.rate };
  try {
    const out = await run('node', [path.join(here, 'client.mjs'), JSON.stringify(spec)], { timeoutMs: 120000 });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    log(`console ${figure} on ${target.kind} failed: ${e.message}`);
    lastError = e.message.split('client: ').pop().trim();
    return null;
  }
}

const samples = {}; // samples[figure][path] = [result per round]
const failures = {}; // failures[path] = the last error
let lastError = null;
for (let r = 1; r <= cfg.rounds; r++) {
  for (const [figure, extra] of [['s2c', {}], ['c2s', {}], ['rtt', { count: cfg.rttCount }],
    ['setup', { count: cfg.setupCount, rate: cfg.setupRate }]]) {
    for (const p of paths) {
      lastError = null;
      const res = await measure(figure, cfg.paths[p], extra);
      if (lastError) failures[p] = lastError;
      ((samples[figure] ??= {})[p] ??= []).push(res);
    }
  }
  log(`console round ${r}/${cfg.rounds} done`);
}

const values = (figure, p, key = 'value') => (samples[figure]?.[p] ?? []).map((x) => (x ? x[key] : NaN));
const added = (figure, p, key) => values(figure, p, key).map((v, i) => v - values(figure, 'raw', key)[i]);
const rows = [];
const has = (p) => Boolean(cfg.paths[p]);
const missing = (p) => `${LABEL[p]}: not available (${cfg.unavailable?.[p] ?? 'not configured'})`;
// a configured path whose every measurement failed is reported with its error, never as a number
for (const p of ['proxy', 'gateway']) {
  if (has(p) && ['s2c', 'c2s', 'rtt', 'setup'].every((f) => values(f, p, f === 'rtt' || f === 'setup' ? 'p50' : 'value').every((x) => !Number.isFinite(x)))) {
    cfg.unavailable = { ...cfg.unavailable, [p]: `every measurement failed: ${failures[p]}` };
    cfg.paths[p] = null;
  }
}

for (const [figure, label, bound] of [['s2c', 'server-to-client', 0.85], ['c2s', 'client-to-server', 0.5]]) {
  const name = (p) => `console.${figure}.${p}`;
  rows.push(row({ name: name('raw'), unit: 'MiB/s', ours: values(figure, 'raw'), note: `${label}, ${LABEL.raw}, 64 KiB frames` }));
  rows.push(row({ name: name('websockify'), unit: 'MiB/s', ours: values(figure, 'websockify'), anchor: LABEL.raw,
    anchorSamples: values(figure, 'raw') }));
  rows.push(row({ name: name('ceiling'), unit: 'MiB/s', ours: values(figure, 'ceiling'), anchor: LABEL.raw,
    anchorSamples: values(figure, 'raw'), target: { text: `>= ${bound} x raw (client clears)`, op: '>=', ratio: bound } }));
  for (const p of ['proxy', 'gateway']) {
    const target = p === 'proxy';
    if (!has(p)) { rows.push(row({ name: name(p), unit: 'MiB/s', ours: null, note: missing(p),
      target: target ? `>= ${bound} x raw` : null })); continue; }
    rows.push(row({ name: name(p), unit: 'MiB/s', ours: values(figure, p), anchor: LABEL.raw, anchorSamples: values(figure, 'raw'),
      target: target ? { text: `>= ${bound} x raw`, op: '>=', ratio: bound } : null }));
    rows.push(row({ name: `${name(p)}.vs_websockify`, unit: 'MiB/s', ours: values(figure, p), anchor: LABEL.websockify,
      anchorSamples: values(figure, 'websockify'), target: target ? { text: '>= 2 x websockify', op: '>=', ratio: 2 } : null }));
  }
}

for (const [key, bound] of [['p50', 100], ['p99', 1000]]) {
  rows.push(row({ name: `console.rtt_${key}.raw`, unit: 'us', ours: values('rtt', 'raw', key), note: '64-byte round trip' }));
  for (const p of ['ceiling', 'proxy', 'gateway']) {
    if (!has(p)) { rows.push(row({ name: `console.rtt_${key}_added.${p}`, unit: 'us', ours: null, note: missing(p),
      target: p === 'proxy' ? `<= ${bound} us over raw` : null })); continue; }
    rows.push(row({ name: `console.rtt_${key}_added.${p}`, unit: 'us', ours: added('rtt', p, key),
      anchor: `${LABEL.websockify}, added`, anchorSamples: added('rtt', 'websockify', key),
      target: p !== 'gateway' ? { text: `<= ${bound} us over raw`, op: '<=', value: bound } : null }));
  }
  rows.push(row({ name: `console.rtt_${key}_added.websockify`, unit: 'us', ours: added('rtt', 'websockify', key),
    ...(key === 'p50' ? { anchor: 'websockify added p50, issue 6 (published, 70..100)', anchorValue: 85 } : {}) }));
}

for (const key of ['p50', 'p99']) {
  for (const p of ['raw', 'websockify', 'ceiling', 'proxy', 'gateway']) {
    const name = `console.setup_${key}.${p}`;
    if (!has(p)) { rows.push(row({ name, unit: 'ms', ours: null, note: missing(p),
      target: p === 'proxy' && key === 'p99' ? '<= 5 ms' : null })); continue; }
    const target = p === 'proxy' && key === 'p99' ? { text: '<= 5 ms', op: '<=', value: 5 } : null;
    rows.push(row({ name, unit: 'ms', ours: values('setup', p, key), target,
      anchor: p === 'websockify' || p === 'raw' ? null : LABEL.websockify,
      anchorSamples: p === 'websockify' || p === 'raw' ? null : values('setup', 'websockify', key),
      note: `at ${cfg.setupRate}/s, ${cfg.setupCount} set-ups; reached ${median(values('setup', p, 'rate'))?.toFixed(0)}/s` }));
  }
}

rows.push(...await idleRows());
for (const r of rows) {
  const p = r.name.split('.').find((x) => failures[x] && has(x));
  if (p && r.value !== null) r.note = `${r.note ? `${r.note}; ` : ''}some ${LABEL[p]} measurements failed: ${failures[p]}`;
}
writeRows(cfg.out, rows);
log(`console: ${rows.length} rows in ${cfg.out}`);

// ---- idle sessions: one client process holds cfg.idleCount sessions; the holder's memory is read before and after

function treeRss(pid) { // KiB: the process and its children (websockify forks one per connection)
  const rss = (p) => { try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))[1]); } catch { return 0; } };
  let total = rss(pid);
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { if (fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid)) total += rss(d); } catch { /* gone */ }
  }
  return total;
}

async function heapUsedKiB(pid) {
  await run('jcmd', [String(pid), 'GC.run'], { timeoutMs: 60000 });
  const out = await run('jstat', ['-gc', String(pid)], { timeoutMs: 60000 });
  const [head, vals] = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const v = (k) => Number(vals[head.indexOf(k)]);
  return v('S0U') + v('S1U') + v('EU') + v('OU');
}

async function hold(target, count, pid, java) {
  const before = { rss: treeRss(pid), heap: java ? await heapUsedKiB(pid) : null };
  const child = spawn('node', [path.join(here, 'client.mjs'), JSON.stringify({ target, figure: 'idle', count })],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = await new Promise((resolve) => {
    let buf = '';
    const timer = setTimeout(() => resolve(null), 180000);
    child.stdout.on('data', (d) => { buf += d; if (buf.includes('\n')) { clearTimeout(timer); resolve(JSON.parse(buf.split('\n')[0])); } });
    child.on('close', () => { clearTimeout(timer); resolve(null); });
  });
  const after = { rss: treeRss(pid), heap: java && ready ? await heapUsedKiB(pid) : null };
  child.stdin.end();
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  return { held: ready?.ready ?? 0, failures: ready?.failures ?? count, before, after };
}

async function idleRows() {
  const out = [];
  let anchor = null;
  if (cfg.websockifyPid && cfg.idleWebsockifyCount) {
    anchor = await hold(cfg.paths.websockify, cfg.idleWebsockifyCount, cfg.websockifyPid, false);
    log(`idle websockify: ${JSON.stringify(anchor)}`);
  }
  const perSession = (h, k) => (h && h.held ? (h.after[k] - h.before[k]) / h.held : null);
  if (!has('proxy') || !cfg.proxyPid) {
    out.push(row({ name: 'console.idle_sessions.proxy', unit: 'sessions', ours: null, note: missing('proxy'),
      target: `>= ${cfg.idleTarget} in ${cfg.idleHeapMiB} MiB heap` }));
    out.push(row({ name: 'console.idle_rss_per_session.proxy', unit: 'KiB', ours: null, note: missing('proxy'),
      anchor: `${LABEL.websockify}, ${cfg.idleWebsockifyCount} sessions`, anchorValue: perSession(anchor, 'rss') }));
    return out;
  }
  const h = await hold(cfg.paths.proxy, cfg.idleCount, cfg.proxyPid, true);
  log(`idle proxy: ${JSON.stringify(h)}`);
  const heapMiB = h.after.heap / 1024;
  out.push(row({ name: 'console.idle_sessions.proxy', unit: 'sessions', ours: h.held,
    target: { text: `>= ${cfg.idleTarget} in ${cfg.idleHeapMiB} MiB heap`, op: '>=', value: heapMiB <= cfg.idleHeapMiB ? cfg.idleTarget : Infinity },
    note: `heap used after GC with them: ${heapMiB.toFixed(0)} MiB; ${h.failures} failed to open` }));
  out.push(row({ name: 'console.idle_heap_per_session.proxy', unit: 'KiB', ours: perSession(h, 'heap') }));
  out.push(row({ name: 'console.idle_rss_per_session.proxy', unit: 'KiB', ours: perSession(h, 'rss'),
    anchor: `${LABEL.websockify}, ${cfg.idleWebsockifyCount} sessions`, anchorValue: perSession(anchor, 'rss') }));
  return out;
}
