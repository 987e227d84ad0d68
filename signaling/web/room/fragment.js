// fragment.js: reads the room link. The room name comes from the path (/room/{room});
// token, name, prejoin, relay and lang come from the URL fragment, which browsers never
// send to the server. The fragment is removed from the address bar after reading so the
// token does not linger in screenshots or the history.

export function readLink(loc = window.location) {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const m = /^\/room\/([^/]+)\/?$/.exec(loc.pathname);
  const link = {
    room: m ? decodeURIComponent(m[1]) : null,
    token: params.get('token') || null,
    name: (params.get('name') || '').trim().slice(0, 64),
    prejoin: params.get('prejoin') !== '0',
    // relay=1: P2P only through TURN; relay=tcp: only through TURN over TCP/TLS
    // (what a network that blocks UDP leaves).
    relay: { 1: 'all', tcp: 'tcp' }[params.get('relay')] || null,
    lang: params.get('lang'),
    test: params.get('test') === '1',
  };
  link.claims = claimsOf(link.token);
  return link;
}

// The token's claims, unverified (the server checks the signature); only used to show
// the role before joining and to take the room from the token when the path has none.
export function claimsOf(token) {
  if (!token) return null;
  try {
    const b64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(b64));
  } catch {
    return null;
  }
}

export function hideFragment() {
  if (window.location.hash && window.history && window.history.replaceState)
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
}
