// The pipeline suite.
// 1. cfg.count creates spread over the simulated hosts (64 at a time): time until all are running (observed by
//    listing running VMs every second), VMs per second end to end, and create-to-running per VM from the VM's own
//    created_at/updated_at (the gateway's and the worker's clocks: the same machine).
// 2. cfg.qemuCount real QEMU VMs pinned to qemu-1, each from POST to its VNC server greeting "RFB", interleaved with
//    libvirt's own start-to-RFB (virsh define + start of a like domain, tagged with the bench stack's id).
// Usage: node pipeline.mjs CONFIG.json (written by infra/bench/bench.sh)
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { row, run, writeRows, log, median } from './figures.mjs';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const VMS = `${cfg.api}/virtualization/virtualmachines`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tag = Date.now().toString(36);

async function call(method, url, token, body, key) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body) headers['Content-Type'] = 'application/json';
  if (key) headers['Idempotency-Key'] = key;
  const res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, retryAfter: res.headers.get('retry-after') };
}

async function create(body, token, key) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const res = await call('POST', `${VMS}/create-enhanced`, token, body, key);
    if (res.status === 202) return res.body;
    if (res.status !== 503) throw new Error(`create: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    await sleep(1000 * Number(res.retryAfter ?? 1));
  }
  throw new Error('create: 503 ten times');
}

async function listAll(status) {
  const items = [];
  let page = '';
  do {
    const res = await call('GET', `${VMS}?status=${status}&page_size=200${page ? `&page_token=${encodeURIComponent(page)}` : ''}`, cfg.token);
    if (res.status !== 200) throw new Error(`list: HTTP ${res.status}`);
    items.push(...res.body.items);
    page = res.body.next_page_token;
  } while (page);
  return items;
}

async function burst() {
  const ids = new Set();
  let next = 0, failedCreates = 0;
  const t0 = Date.now();
  const worker = async () => {
    while (next < cfg.count) {
      const i = next++;
      const name = `bench-${tag}-${i}`;
      try {
        const vm = await create({ name, memory: 256, vcpus: 1, storage: { default_pool: 'default', boot_iso: 'ubuntu.iso', disks: [] } },
          cfg.token, name);
        ids.add(vm.id);
      } catch (e) { failedCreates++; if (failedCreates < 5) log(`pipeline: ${e.message}`); }
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const accepted = Date.now() - t0;
  log(`pipeline: ${ids.size} creates accepted in ${accepted} ms (${failedCreates} failed)`);
  let running = [], failed = [];
  const deadline = Date.now() + cfg.timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    running = (await listAll('running')).filter((v) => ids.has(v.id));
    failed = (await listAll('failed')).filter((v) => ids.has(v.id));
    if (running.length + failed.length >= ids.size) break;
    await sleep(1000);
  }
  const allRunning = (Date.now() - t0) / 1000;
  const perVm = running.map((v) => (Date.parse(v.updated_at) - Date.parse(v.created_at)) / 1000).sort((a, b) => a - b);
  const lastRunning = Math.max(...running.map((v) => Date.parse(v.updated_at)));
  const endToEnd = (lastRunning - t0) / 1000;
  const reasons = {};
  failed.forEach((v) => { reasons[v.reason] = (reasons[v.reason] ?? 0) + 1; });
  log(`pipeline: ${running.length} running, ${failed.length} failed ${JSON.stringify(reasons)}; observed all final after ${allRunning.toFixed(2)} s`);
  return { running: running.length, failed: failed.length + failedCreates, reasons, allRunning, endToEnd,
    perSecond: running.length / endToEnd, p50: perVm[Math.floor(perVm.length * 0.5)], p99: perVm[Math.min(perVm.length - 1, Math.floor(perVm.length * 0.99))] };
}

// ---- real QEMU: POST to "RFB", beside virsh define + start to "RFB"

function rfb(port, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (Date.now() > deadline) { reject(new Error(`no RFB on ${port}`)); return; }
      const sock = net.connect({ host: '127.0.0.1', port });
      let got = '';
      sock.on('data', (d) => { got += d.toString('latin1'); if (got.startsWith('RFB')) { sock.destroy(); resolve(); } });
      sock.on('error', () => { sock.destroy(); setTimeout(attempt, 5); });
      sock.on('close', () => { if (!got.startsWith('RFB')) setTimeout(attempt, 5); });
    };
    attempt();
  });
}

const vncPort = (xml) => { const m = /<graphics[^>]*type=['"]vnc['"][^>]*port=['"](\d+)['"]/.exec(xml ?? '') ?? /<graphics[^>]*port=['"](\d+)['"][^>]*type=['"]vnc/.exec(xml ?? ''); return m && Number(m[1]) > 0 ? Number(m[1]) : null; };

async function oursToRfb(i) {
  const t0 = performance.now();
  const vm = await create({ name: `bench-rfb-${tag}-${i}`, memory: 128, vcpus: 1, graphics: { type: 'vnc' },
    storage: { default_pool: 'default', boot_iso: 'ubuntu.iso', disks: [] }, placement: { host: 'qemu-1' } },
  cfg.adminToken, `bench-rfb-${tag}-${i}`);
  const deadline = Date.now() + 60000;
  let port = null;
  while (Date.now() < deadline) {
    const res = await call('GET', `${VMS}/${vm.id}`, cfg.adminToken);
    if (res.body?.status === 'failed') throw new Error(`real VM failed: ${res.body.reason} ${res.body.message}`);
    port = res.body?.status === 'running' ? vncPort(res.body.domain_xml) : null;
    if (port) break;
    await sleep(10);
  }
  if (!port) throw new Error('real VM: no VNC port within 60 s');
  await rfb(port, deadline);
  const seconds = (performance.now() - t0) / 1000;
  const del = await call('DELETE', `${VMS}/${vm.id}?delete_volumes=true`, cfg.adminToken, null, `bench-rfb-del-${tag}-${i}`);
  if (del.body?.operation_id) await call('GET', `${cfg.api}/operations/${del.body.operation_id}/wait?timeout=60`, cfg.adminToken);
  return seconds;
}

const virsh = (...args) => run('virsh', ['-q', '-c', 'qemu:///system', ...args], { timeoutMs: 60000 });

async function libvirtToRfb(i) {
  const name = `bench-libvirt-${tag}-${i}`;
  const type = fs.existsSync('/dev/kvm') ? 'kvm' : 'qemu';
  const xml = `<domain type='${type}'><name>${name}</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
  <metadata><vmp:stack xmlns:vmp="https://vmplane.io/xmlns/stack/1">${cfg.stackId}</vmp:stack></metadata>
  <os><type arch='x86_64' machine='q35'>hvm</type><boot dev='cdrom'/></os><features><acpi/><apic/></features>
  <devices><disk type='volume' device='cdrom'><driver name='qemu' type='raw'/><source pool='default' volume='ubuntu.iso'/>
  <target dev='sda' bus='sata'/><readonly/></disk><interface type='user'><model type='virtio'/></interface>
  <graphics type='vnc' autoport='yes' listen='127.0.0.1'/><video><model type='vga'/></video></devices></domain>`;
  const file = path.join(os.tmpdir(), `${name}.xml`);
  fs.writeFileSync(file, xml);
  try {
    await virsh('define', file);
    const t0 = performance.now();
    await virsh('start', name);
    const port = vncPort(await virsh('dumpxml', name));
    if (!port) throw new Error('libvirt anchor: no VNC port');
    await rfb(port, Date.now() + 60000);
    return (performance.now() - t0) / 1000;
  } finally {
    await virsh('destroy', name).catch(() => {});
    await virsh('undefine', name).catch(() => {});
    fs.rmSync(file, { force: true });
  }
}

const rows = [];
const b = await burst();
rows.push(row({ name: 'pipeline.all_running_s', unit: 's', ours: b.endToEnd, target: { text: '<= 5 s', op: '<=', value: 5 },
  note: `${cfg.count} creates over ${cfg.hosts} simulated hosts: ${b.running} running, ${b.failed} failed ${JSON.stringify(b.reasons)}; first create to the last VM's updated_at (the list saw all final after ${b.allRunning.toFixed(2)} s)` }));
rows.push(row({ name: 'pipeline.vms_per_s', unit: '1/s', ours: b.perSecond, anchor: 'Nova, largest public experiment (published, ~190/min)',
  anchorValue: 190 / 60 }));
rows.push(row({ name: 'pipeline.vms_per_s.vs_lxd', unit: '1/s', ours: b.perSecond, anchor: 'LXD benchmark (published, ~4 containers/s)', anchorValue: 4 }));
rows.push(row({ name: 'pipeline.create_to_running_p50', unit: 's', ours: b.p50 }));
rows.push(row({ name: 'pipeline.create_to_running_p99', unit: 's', ours: b.p99 }));

const ours = [], theirs = [];
for (let i = 0; i < cfg.qemuCount; i++) {
  try { ours.push(await oursToRfb(i)); } catch (e) { log(`pipeline real VM ${i}: ${e.message}`); ours.push(NaN); }
  try { theirs.push(await libvirtToRfb(i)); } catch (e) { log(`pipeline libvirt ${i}: ${e.message}`); theirs.push(NaN); }
  log(`pipeline real QEMU ${i + 1}/${cfg.qemuCount}: ours ${ours.at(-1)?.toFixed(3)} s, libvirt ${theirs.at(-1)?.toFixed(3)} s`);
}
rows.push(row({ name: 'pipeline.qemu_create_to_vnc_p50', unit: 's', ours, anchor: "libvirt's own define+start to RFB (virsh, same run)",
  anchorSamples: theirs, target: { text: '<= 1 s', op: '<=', value: 1 },
  note: `${cfg.qemuCount} real QEMU VMs (128 MiB, boot ISO) pinned to qemu-1, alternating with as many virsh starts; libvirt median ${median(theirs)?.toFixed(3)} s` }));
writeRows(cfg.out, rows);
log(`pipeline: ${rows.length} rows in ${cfg.out}`);
