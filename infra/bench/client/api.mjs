// The api suite: wrk against the gateway and the bare WebFlux anchor, Kafka's ProducerPerformance at the gateway's
// record size with acks=all, interleaved per round (gateway, anchor, Kafka, ...), bounded by time (wrk -d) and count
// (ProducerPerformance --num-records). Loopback only.
// Usage: node api.mjs CONFIG.json (written by infra/bench/bench.sh)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { row, run, writeRows, log } from './figures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const wrkDir = path.join(here, '..', 'wrk');
const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const tag = Date.now().toString(36);

/** CPU time (ms, user + system) the process has used so far; 0 when it is gone. */
function cpuMs(pid) {
  try {
    // 'self': the CPU of this process' finished children (wrk)
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const [u, k] = pid === 'self' ? [13, 14] : [11, 12];
    return (Number(f[u]) + Number(f[k])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch { return 0; }
}

/** Runs wrk; cpu[name] = CPU ms each of cfg.pids used per successful request meanwhile (cost, whatever the load). */
async function wrk(script, url, seconds, prefix) {
  const before = Object.fromEntries(Object.entries(cfg.pids).map(([k, pid]) => [k, cpuMs(pid)]));
  const res = await wrkOnce(script, url, seconds, prefix);
  res.cpu = Object.fromEntries(Object.entries(cfg.pids).map(([k, pid]) => [k, (cpuMs(pid) - before[k]) / Math.max(1, res.ok)]));
  return res;
}

async function wrkOnce(script, url, seconds, prefix) {
  const env = { ...process.env, BENCH_TOKEN: cfg.token, BENCH_PREFIX: prefix };
  const out = await run('wrk', ['-t', String(cfg.threads), '-c', String(cfg.connections), '-d', `${seconds}s`,
    '--latency', '-s', path.join(wrkDir, script), url], { env, timeoutMs: (seconds + 60) * 1000 });
  const res = JSON.parse(out.split('\n').find((l) => l.startsWith('{')));
  const ok = res.requests - res.status_errors;
  return { ...res, ok, perSecond: ok / (res.duration_us / 1e6), p50: res.p50_us / 1000, p99: res.p99_us / 1000 };
}

/** The mean bytes per record the gateway wrote to the command topic (batch headers included). */
function recordSize(records) {
  let bytes = 0;
  for (const d of fs.readdirSync(cfg.kafkaData)) {
    if (!d.startsWith(`${cfg.topic}-`)) continue;
    for (const f of fs.readdirSync(path.join(cfg.kafkaData, d))) if (f.endsWith('.log')) bytes += fs.statSync(path.join(cfg.kafkaData, d, f)).size;
  }
  return Math.max(64, Math.round(bytes / Math.max(1, records)));
}

async function producerPerf(size) {
  const out = await run('java', ['-Xmx256m', '-cp', cfg.kafkaClasspath, 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', `bench-perf-${tag}`, '--num-records', String(cfg.kafkaRecords), '--record-size', String(size),
    '--throughput', '-1', '--producer-props', `bootstrap.servers=${cfg.bootstrap}`, 'acks=all'], { timeoutMs: 180000 });
  // "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P50 ms 50th, P95 ms 95th, P99 ms 99th, ..."
  const last = out.trim().split('\n').filter((l) => l.includes('records sent')).pop();
  const m = /([\d.]+) records\/sec.*?([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th/.exec(last ?? '');
  if (!m) throw new Error(`ProducerPerformance: no summary in ${out.slice(-300)}`);
  return { perSecond: Number(m[1]), p50: Number(m[2]), p99: Number(m[4]) };
}

const safe = async (what, f) => { try { return await f(); } catch (e) { log(`api ${what}: ${e.message}`); return null; } };

// warm-up (JIT, connections, topic), not counted; also gives the command records' size on the topic
const warm = await wrk('create.lua', `${cfg.gateway}/virtualization/virtualmachines/create-enhanced`, cfg.warmup, `w${tag}`);
await wrk('create.lua', `${cfg.anchor}/create`, cfg.warmup, `wa${tag}`);
// the read paths warm up too: the gateway and the anchor run C2, whose compilation would otherwise fall in round 1
await wrk('get.lua', `${cfg.gateway}/virtualization/virtualmachines/${cfg.vmId}`, cfg.warmup, '');
await wrk('get.lua', `${cfg.anchor}/vm/${cfg.vmId}`, cfg.warmup, '');
const size = recordSize(warm.ok);
log(`api warm-up: ${warm.ok} creates accepted (${warm.status_errors} refused); ${size} bytes per command record`);

const s = { create: [], anchorCreate: [], kafka: [], status: [], anchorStatus: [] };
for (let r = 1; r <= cfg.rounds; r++) {
  s.create.push(await safe('create', () => wrk('create.lua', `${cfg.gateway}/virtualization/virtualmachines/create-enhanced`, cfg.seconds, `r${r}${tag}`)));
  s.anchorCreate.push(await safe('anchor create', () => wrk('create.lua', `${cfg.anchor}/create`, cfg.seconds, `a${r}${tag}`)));
  s.kafka.push(await safe('kafka', () => producerPerf(size)));
  s.status.push(await safe('status', () => wrk('get.lua', `${cfg.gateway}/virtualization/virtualmachines/${cfg.vmId}`, cfg.seconds, '')));
  s.anchorStatus.push(await safe('anchor status', () => wrk('get.lua', `${cfg.anchor}/vm/${cfg.vmId}`, cfg.seconds, '')));
  log(`api round ${r}/${cfg.rounds}: ${JSON.stringify(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.at(-1)?.perSecond?.toFixed(0)])))}`);
}
const v = (k, f) => s[k].map((x) => (x ? x[f] : NaN));
const cpu = (k, proc) => s[k].map((x) => (x ? x.cpu[proc] : NaN));
const refused = s.create.reduce((a, x) => a + (x ? x.status_errors + x.socket_errors : 0), 0);

const rows = [
  row({ name: 'api.create_accepted_per_s', unit: '1/s', ours: v('create', 'perSecond'), anchor: 'bare WebFlux POST (framework ceiling)',
    anchorSamples: v('anchorCreate', 'perSecond'), target: { text: '>= 5000/s', op: '>=', value: 5000 },
    note: `202s per second, ${cfg.connections} connections, ${cfg.seconds} s per round, durable (acks=all) before the 202; ${refused} refused or failed in all rounds` }),
  row({ name: 'api.create_accepted_per_s.vs_kafka', unit: '1/s', ours: v('create', 'perSecond'),
    anchor: `Kafka ProducerPerformance, ${size} B, acks=all (broker ceiling)`, anchorSamples: v('kafka', 'perSecond') }),
  row({ name: 'api.create_p50', unit: 'ms', ours: v('create', 'p50'), anchor: 'bare WebFlux POST', anchorSamples: v('anchorCreate', 'p50') }),
  row({ name: 'api.create_p99', unit: 'ms', ours: v('create', 'p99'), anchor: 'bare WebFlux POST', anchorSamples: v('anchorCreate', 'p99'),
    target: { text: '<= 50 ms', op: '<=', value: 50 } }),
  row({ name: 'api.kafka_perf_p99', unit: 'ms', ours: v('kafka', 'p99'), note: `ProducerPerformance ${cfg.kafkaRecords} records of ${size} B, acks=all, unthrottled` }),
  row({ name: 'api.status_reads_per_s', unit: '1/s', ours: v('status', 'perSecond'), anchor: 'bare WebFlux GET (framework ceiling)',
    anchorSamples: v('anchorStatus', 'perSecond'), target: { text: '>= 10000/s', op: '>=', value: 10000 } }),
  row({ name: 'api.status_p50', unit: 'ms', ours: v('status', 'p50'), anchor: 'bare WebFlux GET', anchorSamples: v('anchorStatus', 'p50') }),
  row({ name: 'api.status_p99', unit: 'ms', ours: v('status', 'p99'), anchor: 'bare WebFlux GET', anchorSamples: v('anchorStatus', 'p99'),
    target: { text: '<= 10 ms', op: '<=', value: 10 } }),
  // what each call costs in CPU, which the machine's load does not change: a 2-core machine's ceiling is about
  // 2000 ms/s divided by the sum of these
  row({ name: 'api.create_cpu_per_request.gateway', unit: 'ms', ours: cpu('create', 'gateway'), anchor: 'bare WebFlux POST',
    anchorSamples: cpu('anchorCreate', 'anchor'), note: 'CPU (user + system) of the gateway JVM per accepted create, Kafka client included' }),
  row({ name: 'api.create_cpu_per_request.kafka', unit: 'ms', ours: cpu('create', 'kafka'), note: "the broker's CPU per accepted create" }),
  row({ name: 'api.create_cpu_per_request.redis', unit: 'ms', ours: cpu('create', 'redis'), note: "Redis' CPU per accepted create" }),
  row({ name: 'api.create_cpu_per_request.wrk', unit: 'ms', ours: cpu('create', 'self'), note: 'the load generator (wrk, a child of this process) per request' }),
  row({ name: 'api.status_cpu_per_request.gateway', unit: 'ms', ours: cpu('status', 'gateway'), anchor: 'bare WebFlux GET',
    anchorSamples: cpu('anchorStatus', 'anchor'), note: 'CPU of the gateway JVM per status read' }),
  row({ name: 'api.status_cpu_per_request.redis', unit: 'ms', ours: cpu('status', 'redis'), note: "Redis' CPU per status read" }),
];
writeRows(cfg.out, rows);
log(`api: ${rows.length} rows in ${cfg.out}`);
