// netns.mjs: two network namespaces joined by a veth pair (10.203.<n>.0/24, names suffixed
// with the test's PID), Chromium wrapper scripts that run the browser inside one of them,
// and nft loss rules on a namespace's input hook. Everything is removed in cleanup (deleting
// a namespace also deletes its veth end and its nft tables). Needs root.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './konsil.mjs';

function sh(cmd, args) {
  return execFileSync(cmd, args, { timeout: 10000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function ipns(ns, ...args) { return sh('ip', ['netns', 'exec', ns, ...args]); }

// Creates namespaces A and B; returns {a, b, ipA, ipB, vethA, vethB}.
export function makePair() {
  const id = process.pid;
  const net3 = 1 + (id % 250);
  const p = {
    a: `kn-a-${id}`, b: `kn-b-${id}`, vethA: `kva${id}`.slice(0, 15), vethB: `kvb${id}`.slice(0, 15),
    ipA: `10.203.${net3}.1`, ipB: `10.203.${net3}.2`,
  };
  onCleanup(() => {
    for (const ns of [p.a, p.b]) { try { sh('ip', ['netns', 'del', ns]); } catch { /* not created */ } }
  });
  sh('ip', ['netns', 'add', p.a]);
  sh('ip', ['netns', 'add', p.b]);
  sh('ip', ['link', 'add', p.vethA, 'type', 'veth', 'peer', 'name', p.vethB]);
  sh('ip', ['link', 'set', p.vethA, 'netns', p.a]);
  sh('ip', ['link', 'set', p.vethB, 'netns', p.b]);
  for (const [ns, dev, ip] of [[p.a, p.vethA, p.ipA], [p.b, p.vethB, p.ipB]]) {
    sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
    sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  return p;
}

// A wrapper that runs Chromium inside `ns` (playwright drives it over a pipe, which
// `ip netns exec` passes through). Returns its path.
export function chromiumWrapper(ns) {
  const dir = mkdtempSync(join(tmpdir(), 'kn-chromium-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'chromium-in-netns');
  writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${ns} /usr/lib/chromium/chromium "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

// Input-hook table in `ns` counting UDP from src:sport; lossRule() adds a random drop.
export function lossTable(ns, src, sport) {
  const t = 'knloss';
  ipns(ns, 'nft', 'add', 'table', 'inet', t);
  ipns(ns, 'nft', 'add', 'chain', 'inet', t, 'in', '{ type filter hook input priority 0; policy accept; }');
  ipns(ns, 'nft', 'add', 'rule', 'inet', t, 'in', 'ip', 'saddr', src, 'udp', 'sport', String(sport), 'counter', 'comment', '"all"');
  return {
    addDrop(percent) {
      ipns(ns, 'nft', 'add', 'rule', 'inet', t, 'in', 'ip', 'saddr', src, 'udp', 'sport', String(sport),
        'numgen', 'random', 'mod', '100', '<', String(percent), 'counter', 'drop', 'comment', '"drop"');
    },
    // {all, drop} packet counters.
    counters() {
      const j = JSON.parse(ipns(ns, 'nft', '-j', 'list', 'table', 'inet', t));
      const out = { all: 0, drop: 0 };
      for (const e of j.nftables) {
        if (!e.rule) continue;
        const c = e.rule.expr.find((x) => x.counter);
        if (c && e.rule.comment) out[e.rule.comment] = c.counter.packets;
      }
      return out;
    },
  };
}
