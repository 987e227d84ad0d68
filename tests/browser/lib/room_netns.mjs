// room_netns.mjs: one network namespace joined to the root namespace by a veth pair
// (root side 10.205.<n>.1, namespace side .2; names suffixed with the test's PID) with
// all incoming UDP dropped on the namespace's input hook: a browser started inside it
// (netns.mjs chromiumWrapper) has only TCP, like a patient behind a UDP-blocking
// firewall. Deleting the namespace in cleanup removes the veth pair and the nft table.
import { execFileSync } from 'node:child_process';
import { onCleanup } from '../../lib/konsil.mjs';

const sh = (cmd, args) => execFileSync(cmd, args, { timeout: 10000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export function udpBlockedNamespace() {
  const id = process.pid;
  const n = 1 + (id % 250);
  const p = { ns: `kn-udp-${id}`, vethRoot: `kur${id}`.slice(0, 15), vethNs: `kun${id}`.slice(0, 15),
    ipRoot: `10.205.${n}.1`, ipNs: `10.205.${n}.2` };
  onCleanup(() => { try { sh('ip', ['netns', 'del', p.ns]); } catch { /* not created */ } });
  sh('ip', ['netns', 'add', p.ns]);
  sh('ip', ['link', 'add', p.vethRoot, 'type', 'veth', 'peer', 'name', p.vethNs]);
  sh('ip', ['link', 'set', p.vethNs, 'netns', p.ns]);
  sh('ip', ['addr', 'add', `${p.ipRoot}/24`, 'dev', p.vethRoot]);
  sh('ip', ['link', 'set', p.vethRoot, 'up']);
  sh('ip', ['-n', p.ns, 'addr', 'add', `${p.ipNs}/24`, 'dev', p.vethNs]);
  sh('ip', ['-n', p.ns, 'link', 'set', p.vethNs, 'up']);
  sh('ip', ['-n', p.ns, 'link', 'set', 'lo', 'up']);
  const nft = (...a) => sh('ip', ['netns', 'exec', p.ns, 'nft', ...a]);
  nft('add', 'table', 'inet', 'knudp');
  nft('add', 'chain', 'inet', 'knudp', 'in', '{ type filter hook input priority 0; policy accept; }');
  nft('add', 'rule', 'inet', 'knudp', 'in', 'iifname', p.vethNs, 'meta', 'l4proto', 'udp', 'counter', 'drop');
  // Packets dropped so far (proof that UDP was tried and blocked).
  p.dropped = () => {
    const j = JSON.parse(nft('-j', 'list', 'table', 'inet', 'knudp'));
    let c = 0;
    for (const e of j.nftables) if (e.rule) for (const x of e.rule.expr) if (x.counter) c += x.counter.packets;
    return c;
  };
  return p;
}
