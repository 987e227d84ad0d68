// konsil.mjs: shared node helpers for Konsil integration and browser tests. Starts and
// stops konsil-signaling (which starts its own konsil-sfu child) on free ports with a
// temporary KONSIL_STATE_DIR and a known KONSIL_TOKEN_SECRET, makes HS256 access tokens
// in the server's format, talks to the SFU control API over <state>/sfu-0.sock, and keeps
// a cleanup registry so every process a test starts is stopped on every exit path.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.KONSIL_SOURCE_DIR || join(here, '..', '..');
export const binDir = process.env.KONSIL_BIN_DIR || join(sourceDir, 'build', 'bin');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function withTimeout(p, ms, what) {
  let t;
  const timer = new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timeout (${ms} ms): ${what}`)), ms); });
  return Promise.race([p, timer]).finally(() => clearTimeout(t));
}

// ---- cleanup registry -------------------------------------------------------------
const cleanups = [];
const pids = new Set();
export function onCleanup(fn) { cleanups.push(fn); }

export function pidAlive(pid) {
  try { process.kill(pid, 0); } catch { return false; }
  // A zombie still answers kill(0); treat it as dead.
  try { return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

// SIGTERM, SIGKILL after graceMs. repeatMs > 0: a second SIGTERM after that long, the
// operator's fast stop of konsil-signaling (the first one drains while rooms are open, the
// second exits at once: docs/operations.md, Signals).
async function stopPid(pid, graceMs = 3000, repeatMs = 0) {
  if (!pidAlive(pid)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  if (repeatMs > 0) {
    const again = Date.now() + repeatMs;
    while (Date.now() < again && pidAlive(pid)) await sleep(20);
    if (pidAlive(pid)) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  }
  const end = Date.now() + graceMs;
  while (Date.now() < end && pidAlive(pid)) await sleep(50);
  if (pidAlive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

let cleaning = null;
export function cleanup() {
  if (!cleaning) {
    cleaning = (async () => {
      while (cleanups.length) {
        const fn = cleanups.pop();
        try { await withTimeout(Promise.resolve(fn()), 10000, 'cleanup step'); } catch (e) { console.log(`cleanup: ${e.message}`); }
      }
    })();
  }
  return cleaning;
}
process.on('exit', () => { for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { console.log(`got ${sig}`); cleanup().finally(() => process.exit(130)); });
}

// Runs main() with a global deadline; cleans up and exits 0 on success, 1 on failure.
export function runTest(name, seconds, main) {
  const deadline = setTimeout(() => {
    console.log(`FAIL ${name}: global timeout ${seconds} s`);
    cleanup().finally(() => process.exit(1));
  }, seconds * 1000);
  main().then(async () => {
    clearTimeout(deadline);
    await cleanup();
    console.log(`PASS ${name}`);
    process.exit(0);
  }, async (e) => {
    clearTimeout(deadline);
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    await cleanup();
    process.exit(1);
  });
}

export function check(cond, msg) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`);
  if (!cond) throw new Error(`check failed: ${msg}`);
}

// ---- ports and tokens ---------------------------------------------------------------
export function freeTcpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export function freeUdpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, host, () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// A port free for both UDP and TCP (the SFU binds both on KONSIL_MEDIA_PORT).
export async function freeMediaPort(host = '127.0.0.1') {
  for (let i = 0; i < 20; i++) {
    const p = await freeUdpPort(host);
    const ok = await new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(p, host, () => s.close(() => resolve(true)));
    });
    if (ok) return p;
  }
  throw new Error('no free media port');
}

const b64u = (b) => Buffer.from(b).toString('base64url');

// HS256 JWT: header {"alg":"HS256","typ":"JWT"}, claims {room, role, exp}; key = secret's bytes.
export function makeToken(secret, { room, role, exp = Math.floor(Date.now() / 1000) + 600, alg = 'HS256', extra = {} }) {
  const head = b64u(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64u(JSON.stringify({ room, role, exp, ...extra }));
  const input = `${head}.${body}`;
  if (alg === 'none') return `${input}.`;
  return `${input}.${createHmac('sha256', Buffer.from(secret, 'utf8')).update(input).digest('base64url')}`;
}

// ---- processes -----------------------------------------------------------------------
// Spawns cmd (optionally inside a netns), logs to logFile, registers the PID for cleanup.
// stopRepeatMs: see stopPid (konsil-signaling's fast stop).
export function startProcess(cmd, args, { env = {}, logFile, netns, stopRepeatMs = 0 } = {}) {
  const fd = openSync(logFile, 'a');
  const argv = netns ? ['ip', ['netns', 'exec', netns, cmd, ...args]] : [cmd, args];
  const child = spawn(argv[0], argv[1], { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  pids.add(child.pid);
  const exited = new Promise((r) => child.once('exit', (code, sig) => { pids.delete(child.pid); r({ code, sig }); }));
  const stop = async () => { await stopPid(child.pid, 3000, stopRepeatMs); await withTimeout(exited, 5000, `exit of ${cmd}`).catch(() => {}); };
  onCleanup(stop);
  return { pid: child.pid, child, exited, stop };
}

// Children of pid (needs CONFIG_PROC_CHILDREN; falls back to scanning /proc).
export function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
}

function tcpOpen(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(500);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}

// Starts konsil-signaling. opts: host (listen address), announceIp, netns, env.
// Returns {pid, sfuPid(), base, host, port, stateDir, secret, token(room, role), ctl(), stop()}.
export async function startKonsil(opts = {}) {
  const host = opts.host || '127.0.0.1';
  const port = opts.port || (opts.netns ? 20000 + Math.floor(Math.random() * 20000) : await freeTcpPort(host));
  const stateDir = mkdtempSync(join(tmpdir(), 'konsil-test-'));
  const secret = randomBytes(24).toString('hex');
  const logFile = join(stateDir, 'signaling.log');
  const mediaPort = opts.mediaPort || (opts.netns ? port + 1 : await freeMediaPort(host));
  const env = {
    KONSIL_STATE_DIR: stateDir, KONSIL_LISTEN: `${host}:${port}`, KONSIL_TOKEN_SECRET: secret,
    KONSIL_TLS: opts.tls === false ? 'off' : 'on', KONSIL_MEDIA_PORT: String(mediaPort),
    ...(opts.announceIp ? { KONSIL_ANNOUNCE_IP: opts.announceIp } : {}), ...(opts.env || {}),
  };
  const bin = join(binDir, 'konsil-signaling');
  if (!existsSync(bin)) throw new Error(`${bin} not built`);
  // Stopped like an operator's fast stop: rooms a test leaves open do not hold up the drain.
  const proc = startProcess(bin, opts.args || [], { env, logFile, netns: opts.netns, stopRepeatMs: 300 });
  onCleanup(() => { if (!process.env.KONSIL_KEEP_STATE) rmSync(stateDir, { recursive: true, force: true }); });
  const sock = join(stateDir, 'sfu-0.sock');
  const end = Date.now() + 15000;
  let up = false;
  while (Date.now() < end) {
    if (!pidAlive(proc.pid)) break;
    if (existsSync(sock) && (opts.netns || await tcpOpen(host, port))) { up = true; break; }
    await sleep(100);
  }
  if (!up) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    throw new Error(`konsil-signaling did not come up on ${host}:${port} (alive=${pidAlive(proc.pid)}); log:\n${log}`);
  }
  const scheme = opts.tls === false ? 'http' : 'https';
  const k = {
    pid: proc.pid, host, port, mediaPort, stateDir, secret, logFile, sock, proc,
    base: `${scheme}://${host}:${port}`,
    sfuPid: () => {
      // With `ip netns exec`, the signaling PID is ip's, which execs; children are the SFU.
      const kids = childPids(proc.pid);
      return kids.length ? kids[0] : null;
    },
    token: (room, role, o = {}) => makeToken(secret, { room, role, ...o }),
    whip: (room) => `${scheme}://${host}:${port}${process.env.KONSIL_WHIP_PATH || '/whip/'}${room}`,
    whep: (room) => `${scheme}://${host}:${port}${process.env.KONSIL_WHEP_PATH || '/whep/'}${room}`,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    ctl: () => controlClient(sock),
    // Stops signaling, then any SFU child it left behind (reported: signaling should stop it).
    stop: async () => {
      const kids = childPids(proc.pid);
      await proc.stop();
      for (const pid of kids) {
        if (pidAlive(pid)) { console.log(`konsil-sfu ${pid} outlived konsil-signaling; stopping it`); await stopPid(pid); }
      }
    },
  };
  onCleanup(() => k.stop());
  k.sfuPid0 = k.sfuPid();
  // Both processes alive and the SFU never restarted by signaling's supervisor.
  k.upState = () => {
    const sfu = k.sfuPid();
    const ok = pidAlive(k.pid) && sfu !== null && sfu === k.sfuPid0 && pidAlive(sfu);
    return { ok, text: `konsil-signaling ${k.pid} ${pidAlive(k.pid) ? 'alive' : 'DEAD'}, konsil-sfu ${k.sfuPid0} -> ${sfu}` };
  };
  let ctl = null;
  // SFU stats of the peer behind a WHIP/WHEP resource URL, or null when not found.
  k.sfuPeerStats = async (room, location) => {
    if (!ctl) ctl = await controlClient(sock);
    for (const peer of peerIdsFor(location)) {
      try { return await ctl.request('peer.stats', { room, peer }); } catch (e) { if (!/not_found|invalid/.test(e.message)) throw e; }
    }
    return null;
  };
  return k;
}

// ---- SFU control API (docs/control-api.md): JSON lines over a unix socket ---------------
export function controlClient(path) {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    let buf = '';
    let id = 1000;
    const waiting = new Map();
    const events = [];
    s.setEncoding('utf8');
    s.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.trim()) continue;
        let m;
        try { m = JSON.parse(line); } catch { continue; }
        if (m.id !== undefined && waiting.has(m.id)) { waiting.get(m.id)(m); waiting.delete(m.id); } else events.push(m);
      }
    });
    s.once('error', reject);
    s.once('connect', () => {
      const c = {
        events,
        request(method, params = {}, ms = 5000) {
          const myId = id++;
          const p = new Promise((res) => waiting.set(myId, res));
          s.write(`${JSON.stringify({ id: myId, method, params })}\n`);
          return withTimeout(p, ms, `control ${method}`).then((m) => {
            if (m.error) throw new Error(`control ${method}: ${m.error.code}: ${m.error.message}`);
            return m.result;
          });
        },
        close: () => s.destroy(),
      };
      onCleanup(() => s.destroy());
      resolve(c);
    });
  });
}

// Candidate SFU peer ids for a WHIP/WHEP resource URL: signaling names the peer after
// the resource (last path segment).
export function peerIdsFor(location) {
  if (!location) return [];
  const segs = new URL(location).pathname.split('/').filter(Boolean);
  return [...new Set([segs[segs.length - 1], segs.slice(-2).join('-')])].filter(Boolean);
}

// Peers of a room as seen by the SFU (via the stats of each known peer id). Signaling
// names peers; tests that need SFU stats find them by trying the ids listed in the
// answer's ICE ufrag or by asking sfu.info. Returns the stats of every peer id given.
export async function peerStats(ctl, room, peers) {
  const out = {};
  for (const p of peers) out[p] = await ctl.request('peer.stats', { room, peer: p });
  return out;
}

// ---- aiortc peer (tests/lib/aiortc_peer.py) ------------------------------------------------
// Starts a WHIP publisher or WHEP subscriber; collects its JSON lines. Returns
// {pid, samples, last(), done (resolves with the exit code), stop()}.
export function startAiortc(mode, url, token, { seconds = 10, hostIp = '127.0.0.1', netns } = {}) {
  const args = [join(here, 'aiortc_peer.py'), mode, url, '--token', token, '--seconds', String(seconds), '--host-ip', hostIp];
  const argv = netns ? ['ip', ['netns', 'exec', netns, '/usr/bin/python3', ...args]] : ['/usr/bin/python3', args];
  const child = spawn(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'pipe'] });
  pids.add(child.pid);
  const samples = [];
  let buf = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try { samples.push(JSON.parse(line)); } catch { console.log(`[aiortc ${mode}] ${line}`); }
    }
  });
  child.stderr.on('data', (d) => { err += d; if (err.length > 20000) err = err.slice(-10000); });
  const done = new Promise((r) => child.once('exit', (code) => { pids.delete(child.pid); r(code); }));
  const stop = async () => { await stopPid(child.pid); await withTimeout(done, 5000, 'aiortc exit').catch(() => {}); };
  onCleanup(stop);
  return { pid: child.pid, samples, last: () => samples[samples.length - 1], done, stop, stderr: () => err };
}
