// A VNC-like upstream for the console benchmark: greets like a VNC server ("RFB 003.008\n"), then the first byte the
// client sends picks what it does with the session:
//   'S' source: writes 64 KiB chunks as fast as the connection drains (server-to-client throughput)
//   'K' sink:   reads and counts; after every 1 MiB received it writes the running total (8 bytes, big-endian)
//   'E' echo:   writes back every byte it reads (round-trip latency)
//   anything else, or nothing: idle (a console left open on a still screen)
// Usage: node upstream.mjs --tcp PORT            the upstream proper (raw TCP, what a VM's graphics port is)
//        node upstream.mjs --ws PORT             the same protocol as a bare WebSocket server (the client's ceiling)
// It prints "READY" once listening. Binds 127.0.0.1 only.
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { requireNativeBufferUtil } from './native.mjs';

const GREETING = Buffer.from('RFB 003.008\n', 'latin1');
const CHUNK = Buffer.alloc(64 * 1024, 0x5a);
const ACK_EVERY = 1024 * 1024;

/** Runs one session over a byte transport: write(buf, cb) -> boolean (false = wait for drain), onDrain(fn). */
function session(t) {
  let mode = null;
  let received = 0;
  let nextAck = ACK_EVERY;
  t.write(GREETING);
  t.onData((buf) => {
    if (mode === null) {
      mode = String.fromCharCode(buf[0]);
      buf = buf.subarray(1);
      if (mode === 'S') pump(t);
    }
    if (buf.length === 0) return;
    if (mode === 'E') t.write(buf);
    else if (mode === 'K') {
      received += buf.length;
      if (received >= nextAck) {
        const ack = Buffer.alloc(8);
        ack.writeBigUInt64BE(BigInt(received));
        t.write(ack);
        nextAck = received - (received % ACK_EVERY) + ACK_EVERY;
      }
    }
  });
}

function pump(t) {
  const loop = () => {
    while (t.open()) {
      if (!t.write(CHUNK)) { t.onDrain(loop); return; }
    }
  };
  loop();
}

function tcpServer(port) {
  const server = net.createServer({ noDelay: true }, (sock) => {
    sock.setNoDelay(true);
    sock.on('error', () => sock.destroy());
    session({
      write: (b) => sock.write(b),
      onData: (fn) => sock.on('data', fn),
      onDrain: (fn) => sock.once('drain', fn),
      open: () => !sock.destroyed && sock.writable,
    });
  });
  server.maxConnections = 19000;
  server.listen(port, '127.0.0.1', () => console.log('READY'));
}

function wsServer(port) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 },
    () => console.log('READY'));
  wss.on('connection', (ws) => {
    ws.on('error', () => ws.terminate());
    let inflight = 0;
    let drain = null;
    session({
      // at most 8 messages between ws and the kernel: the same bound a socket's buffer gives the TCP source
      write: (b) => {
        inflight++;
        ws.send(b, { binary: true }, () => {
          inflight--;
          if (drain && inflight < 8) { const d = drain; drain = null; d(); }
        });
        return inflight < 8;
      },
      onData: (fn) => ws.on('message', (data) => fn(Buffer.isBuffer(data) ? data : Buffer.concat(data))),
      onDrain: (fn) => { drain = fn; },
      open: () => ws.readyState === ws.OPEN,
    });
  });
}

requireNativeBufferUtil();
const [flag, port] = process.argv.slice(2);
if (flag === '--tcp') tcpServer(Number(port));
else if (flag === '--ws') wsServer(Number(port));
else { console.error('usage: node upstream.mjs --tcp PORT | --ws PORT'); process.exit(2); }
