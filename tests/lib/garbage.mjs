// garbage.mjs: hostile-input generators for tests/integration/test_bad_input.mjs. Garbage
// UDP datagrams per RFC 7983 first-byte class, STUN binding requests that look valid
// but fail authentication, RTP/RTCP-shaped datagrams with random SSRCs, ICE-TCP (RFC 4571)
// abuse, and raw HTTP/1.1 requests over TLS to konsil-signaling. Every call is bounded.
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes, randomInt, createHmac } from 'node:crypto';
import { sleep, withTimeout } from './konsil.mjs';

export const CLASSES = [
  { name: 'stun-like 0-3', lo: 0, hi: 3 },
  { name: 'unassigned 4-19', lo: 4, hi: 19 },
  { name: 'dtls-like 20-63', lo: 20, hi: 63 },
  { name: 'turn-channel 64-127', lo: 64, hi: 127 },
  { name: 'rtp/rtcp-like 128-191', lo: 128, hi: 191 },
  { name: 'high 192-255', lo: 192, hi: 255 },
];

// CRC-32 (IEEE) for the STUN FINGERPRINT attribute (RFC 8489 §14.7).
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function attr(type, value) {
  const pad = (4 - (value.length % 4)) % 4;
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(value.length, 2);
  return Buffer.concat([h, value, Buffer.alloc(pad)]);
}

// A well-formed STUN Binding request (RFC 8489) with USERNAME, PRIORITY, ICE-CONTROLLING,
// MESSAGE-INTEGRITY computed with `key` (a wrong key gives a bad MI) and FINGERPRINT.
export function stunBinding(username, key) {
  const tid = randomBytes(12);
  const prio = Buffer.alloc(4); prio.writeUInt32BE(0x6e7f1eff);
  let body = Buffer.concat([attr(0x0006, Buffer.from(username)), attr(0x0024, prio), attr(0x802a, randomBytes(8))]);
  const head = (len) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(0x0001, 0); h.writeUInt16BE(len, 2); h.writeUInt32BE(0x2112a442, 4); tid.copy(h, 8);
    return h;
  };
  const mi = createHmac('sha1', key).update(Buffer.concat([head(body.length + 24), body])).digest();
  body = Buffer.concat([body, attr(0x0008, mi)]);
  const fpInput = Buffer.concat([head(body.length + 8), body]);
  const fp = Buffer.alloc(4); fp.writeUInt32BE((crc32(fpInput) ^ 0x5354554e) >>> 0);
  body = Buffer.concat([body, attr(0x8028, fp)]);
  return Buffer.concat([head(body.length), body]);
}

// Random datagram whose first byte lies in [lo, hi]; length 0–1500 (0 = empty datagram).
export function classDatagram(lo, hi) {
  const len = randomInt(0, 1501);
  const b = randomBytes(len);
  if (len > 0) b[0] = randomInt(lo, hi + 1);
  if (lo >= 128 && hi <= 191 && len >= 12) {
    b[0] = 0x80 | (b[0] & 0x3f); // V=2, random P/X/CC
    b[1] = randomInt(0, 2) ? randomInt(200, 207) : randomInt(0, 128) | (randomInt(0, 2) << 7); // RTCP or RTP PT
  }
  return b;
}

// Sends `count` datagrams of every class to host:port in bursts. Returns {sent, errors}.
export async function udpFlood(host, port, count, extra = []) {
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise((r) => sock.bind(0, r));
  let sent = 0, errors = 0;
  const send = (b) => new Promise((r) => sock.send(b, port, host, (e) => { if (e) errors++; else sent++; r(); }));
  try {
    for (const c of CLASSES) {
      for (let i = 0; i < count; i++) {
        await send(classDatagram(c.lo, c.hi));
        if (i % 100 === 99) await sleep(5);
      }
    }
    for (const b of extra) await send(b);
  } finally { sock.close(); }
  return { sent, errors };
}

// Opens an ICE-TCP connection and runs one abuse pattern; resolves with what happened.
export function tcpAbuse(host, port, pattern, holdMs = 1500) {
  return withTimeout(new Promise((resolve) => {
    const s = net.connect({ host, port });
    let closedByPeer = false, bytesIn = 0;
    s.on('data', (d) => { bytesIn += d.length; });
    s.on('error', () => {});
    s.on('close', () => { closedByPeer = true; });
    s.on('connect', async () => {
      if (pattern === 'garbage') s.write(randomBytes(4096));
      else if (pattern === 'oversized') { const h = Buffer.alloc(2); h.writeUInt16BE(0xffff); s.write(Buffer.concat([h, randomBytes(100)])); }
      else if (pattern === 'frames') {
        for (let i = 0; i < 50; i++) { const p = randomBytes(randomInt(0, 1500)); const h = Buffer.alloc(2); h.writeUInt16BE(p.length); s.write(Buffer.concat([h, p])); }
      } else if (pattern === 'zero-frames') s.write(Buffer.alloc(2000));
      // 'idle': send nothing.
      await sleep(holdMs);
      const r = { pattern, closedByPeer, bytesIn };
      s.destroy();
      resolve(r);
    });
    s.on('close', () => { if (!s.connecting) return; resolve({ pattern, refused: true }); });
  }), holdMs + 5000, `tcp ${pattern}`);
}

// Writes raw bytes over TLS (or plain TCP) and returns the HTTP status code, or 'closed'
// if the server closed without a status line, or 'timeout'.
export function rawHttp(host, port, bytes, { useTls = true, ms = 5000 } = {}) {
  return new Promise((resolve) => {
    const s = useTls ? tls.connect({ host, port, rejectUnauthorized: false }) : net.connect({ host, port });
    let data = '';
    let done = false;
    const finish = (v) => { if (done) return; done = true; clearTimeout(t); s.destroy(); resolve(v); };
    const t = setTimeout(() => finish('timeout'), ms);
    s.on(useTls ? 'secureConnect' : 'connect', () => {
      const chunks = Array.isArray(bytes) ? bytes : [bytes];
      for (const c of chunks) s.write(c, () => {});
    });
    s.on('data', (d) => {
      data += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (m) finish(Number(m[1]));
    });
    s.on('error', () => finish('closed'));
    s.on('close', () => finish('closed'));
  });
}

export function httpRequest(method, path, headers, body = Buffer.alloc(0)) {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Length: ${body.length}`, 'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]);
}
