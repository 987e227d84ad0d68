// test_sfu_room_events_chromium.mjs: the server side of SFU mode in a room with real
// browsers (docs/signaling-protocol.md "sfu.*", "active-speaker"). Three Chromium room pages
// (fake camera + beeping fake microphone) switch to the SFU and decode each other; a
// WebSocket listener (this script, no media) joins too. Checks on konsil-sfu's own control
// socket: one publish peer with an audio and a simulcast video producer per page, one
// subscribe peer per page with four consumers that forward packets; the SFU's dominant
// speaker (the one unmuted page) reaches the listener as `active-speaker`; after two pages
// leave, the room returns to P2P and the SFU holds no peer and no room.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTest, check, sleep } from '../lib/konsil.mjs';
import { launchChromium } from '../lib/browsers.mjs';
import { startRoomServer, roomLink, openRoom, waitSnap, fmt } from './lib/room_pages.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');
const ROOM = 'events-1';

function listen(k) {
  const ws = new WebSocket(`${k.base.replace(/^http/, 'ws')}/ws`, 'konsil.v1');
  const msgs = [];
  ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
  ws.on('open', () => ws.send(JSON.stringify({ v: 1, type: 'join', id: 1, token: k.token(ROOM, 'listener'), pseudonym: 'Monitor' })));
  return { ws, msgs, ping: () => ws.readyState === 1 && ws.send(JSON.stringify({ type: 'ping' })) };
}

// Chromium's default fake microphone beeps briefly once a second, never loud for the 1 s the
// SFU needs; a continuous 440 Hz tone at -12 dBFS (16-bit mono WAV, looped) is.
function toneWav() {
  const rate = 48000, n = rate * 2, data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(data.length, 40);
  const path = join(mkdtempSync(join(tmpdir(), 'kn-tone-')), 'tone.wav');
  writeFileSync(path, Buffer.concat([h, data]));
  return path;
}

async function sfuRoomName(k) {
  const m = /room events-1 uses SFU room (r\.[0-9a-f]{16})/.exec(k.log());
  return m ? m[1] : null;
}

runTest('sfu room events chromium', 240, async () => {
  const k = await startRoomServer({ KONSIL_P2P_GRACE_MS: '2000' });
  const chromium = await launchChromium({ extraArgs: [`--use-file-for-fake-audio-capture=${toneWav()}`] });
  const pages = [];
  for (const [role, name] of [['host', 'Anna'], ['guest', 'Ben'], ['guest', 'Clara']])
    pages.push(await openRoom(chromium, roomLink(k, ROOM, role, { name }), { label: `chromium-${name}` }));
  const mon = listen(k);
  const sfuOk = (s) => s.mode.mode === 'sfu' && s.peers.filter((p) => p.role !== 'listener').length === 2 &&
    s.peers.filter((p) => p.role !== 'listener').every((p) => p.source === 'sfu' && p.video && p.video.framesDecoded > 30);
  const ids = [];
  for (const p of pages) ids.push((await waitSnap(p, sfuOk, 45000, `${p.knName} decodes both others via the SFU`)).self.id);

  await sleep(2000); // let every consumer forward a while
  const room = await sfuRoomName(k);
  check(room !== null, `signaling logged its SFU room (${room})`);
  const ctl = await k.ctl();
  let consumersOk = 0;
  for (const id of ids) {
    const pub = await ctl.request('peer.stats', { room, peer: `${id}.pub1` });
    const kinds = pub.producers.map((p) => `${p.kind}:${p.encodings.length}`).sort();
    check(pub.state === 'connected' && kinds.join(',') === 'audio:1,video:3', `${id} publish peer connected with ${kinds}`);
    const sub = await ctl.request('peer.stats', { room, peer: `${id}.sub1` });
    const fwd = sub.consumers.filter((c) => c.packets > 50).length;
    console.log(`${id} subscribe: state ${sub.state}, consumers ${sub.consumers.map((c) => `${c.producer}:${c.packets}`).join(' ')}`);
    if (sub.state === 'connected' && sub.consumers.length === 4 && fwd === 4) consumersOk++;
  }
  check(consumersOk === 3, `every page's subscribe peer forwards 4 consumers (${consumersOk}/3)`);

  // Identical fake microphones are never 3 dB apart: mute Ben and Clara, so Anna dominates.
  for (const p of pages.slice(1)) await p.evaluate(() => document.getElementById('btn-mic').click());
  const t0 = Date.now();
  let sp = null;
  while (Date.now() - t0 < 20000 && !(sp = mon.msgs.find((m) => m.type === 'active-speaker' && m.participant_id === ids[0]))) {
    mon.ping();
    await sleep(500);
  }
  console.log(`active-speaker: ${fmt(sp)} after ${Date.now() - t0} ms; all: ${fmt(mon.msgs.filter((m) => m.type === 'active-speaker'))}; SFU events: ${fmt(ctl.events.filter((e) => e.event === 'room.active_speaker'))}`);
  check(sp !== undefined && sp !== null, 'the SFU\'s dominant speaker (Anna, the only unmuted page) reaches the listener as active-speaker');
  const offers = mon.msgs.filter((m) => m.type === 'sfu.subscribe');
  // The listener never answers: it keeps exactly one outstanding offer (the first publisher's).
  check(offers.length === 1 && offers[0].tracks.length % 2 === 0 && offers[0].tracks.every((t) => ids.includes(t.participant)),
    `the unanswering listener holds exactly one offer (${offers.length} offer(s), ${offers.length ? offers[0].tracks.length : 0} m-lines)`);

  // two pages leave: one page and the listener remain (2) → P2P after the grace, teardown
  for (const p of pages.slice(1)) await p.evaluate(() => document.getElementById('btn-leave').click());
  const t1 = Date.now();
  let info = null;
  while (Date.now() - t1 < 30000) {
    info = await ctl.request('sfu.info');
    if (info.peers === 0 && info.rooms === 0) break;
    mon.ping();
    await sleep(500);
  }
  console.log(`after the switch back: sfu.info peers ${info.peers} rooms ${info.rooms} (${Date.now() - t1} ms)`);
  check(info.peers === 0 && info.rooms === 0, 'SFU holds no peer and no room after the room left SFU mode');
  check(mon.msgs.some((m) => m.type === 'sfu.closed' && m.which === 'all'), 'the listener got sfu.closed all');
  mon.ws.close();
  ctl.close();
});
