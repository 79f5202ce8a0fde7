// Sign-in and reveal for the console (app.js uses window.consoleAuth). With a provider
// configured (auth.json: issuer, clientId, audience), agents sign in there with the
// authorization code flow and PKCE (a public client: no secret in the page), and every lookup
// carries the access token; nobody types an API key. An expired token or a 401 leads back
// through sign-in, and the conditions being looked up come back with it (the deep link). With
// reveal (the callers are agents), personal data comes masked from the server, and the reveal
// button asks for a reason and calls revealApplication: the page never holds a clear value
// before that.
'use strict';

(function () {
  const SESSION = 'createinfo.console.oidc'; // sessionStorage: {token, exp, name, agent, idToken}
  const PENDING = 'createinfo.console.oidc.pending'; // {verifier, state, conditions}
  const REVEAL = 'ConsoleReveal';
  const REASONS = [
    ['CALLER_IDENTITY_VERIFIED', '來電者已通過身分核實'],
    ['CUSTOMER_REQUEST', '客戶本人要求'],
    ['COMPLAINT_HANDLING', '處理客訴'],
  ];

  let cfg = { reveal: false };
  // The provider's answer, read before app.js clears the address bar of its deep link.
  const returned = new URLSearchParams(location.search);
  let meta = null;

  const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
  async function challenge(verifier) {
    const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    return b64url(new Uint8Array(d));
  }
  // claims reads a JWT's payload for display only: the server is what checks the token.
  function claims(jwt) {
    try {
      const p = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const bin = atob(p);
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    } catch { return {}; }
  }
  function stored(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || 'null'); } catch { return null; }
  }
  async function discover() {
    if (!meta) {
      const r = await fetch(cfg.issuer.replace(/\/$/, '') + '/.well-known/openid-configuration');
      if (!r.ok) throw new Error('discovery ' + r.status);
      meta = await r.json();
    }
    return meta;
  }
  const redirectURI = () => location.origin + location.pathname;

  // signIn leaves for the provider; conditions come back after it.
  async function signIn(conditions) {
    const m = await discover();
    const verifier = random();
    const state = random();
    sessionStorage.removeItem(SESSION);
    sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, conditions: conditions || null }));
    const q = new URLSearchParams({
      client_id: cfg.clientId, response_type: 'code', scope: 'openid profile', redirect_uri: redirectURI(),
      code_challenge: await challenge(verifier), code_challenge_method: 'S256', state, resource: cfg.audience,
    });
    location.assign(m.authorization_endpoint + '?' + q);
    return new Promise(() => {}); // the page is leaving
  }

  // finish completes a sign-in when the provider sent the browser back: the conditions saved
  // before it, or null.
  async function finish() {
    const p = returned;
    if (!p.has('code') && !p.has('error')) return null;
    const pending = stored(PENDING);
    sessionStorage.removeItem(PENDING);
    if (!p.get('code') || !pending || pending.state !== p.get('state')) return null;
    const m = await discover();
    const r = await fetch(m.token_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code: p.get('code'), redirect_uri: redirectURI(),
        client_id: cfg.clientId, code_verifier: pending.verifier,
      }),
    });
    const t = await r.json();
    if (!t.access_token) return null;
    const c = claims(t.access_token);
    sessionStorage.setItem(SESSION, JSON.stringify({
      token: t.access_token, exp: c.exp || 0, name: c.name || '', agent: c.preferred_username || '', idToken: t.id_token || '',
    }));
    return pending.conditions || null;
  }

  function session() {
    const s = stored(SESSION);
    return s && s.exp * 1000 > Date.now() ? s : null;
  }

  async function signOut() {
    const s = stored(SESSION);
    sessionStorage.removeItem(SESSION);
    const m = await discover();
    if (!m.end_session_endpoint) { location.assign(redirectURI()); return; }
    const q = new URLSearchParams({ client_id: cfg.clientId, post_logout_redirect_uri: redirectURI() });
    if (s && s.idToken) q.set('id_token_hint', s.idToken);
    location.assign(m.end_session_endpoint + '?' + q);
  }

  // askReason shows the reason dialog; resolves to the chosen reason, or null when cancelled.
  function askReason() {
    return new Promise((resolve) => {
      const d = document.createElement('dialog');
      d.id = 'reveal-reason';
      const f = document.createElement('form');
      f.method = 'dialog';
      const h = document.createElement('h2');
      h.textContent = '顯示個資的原因';
      const p = document.createElement('p');
      p.textContent = '顯示個資會記錄在稽核軌跡（客服人員、進件、原因）。';
      const sel = document.createElement('select');
      sel.id = 'reveal-reason-select';
      sel.required = true;
      const none = document.createElement('option');
      none.value = '';
      none.textContent = '請選擇原因';
      sel.append(none);
      for (const [v, label] of REASONS) {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = label;
        sel.append(o);
      }
      const ok = document.createElement('button');
      ok.id = 'reveal-reason-ok';
      ok.value = 'ok';
      ok.textContent = '顯示';
      const cancel = document.createElement('button');
      cancel.value = 'cancel';
      cancel.formNoValidate = true;
      cancel.className = 'secondary';
      cancel.textContent = '取消';
      f.append(h, p, sel, ok, cancel);
      d.append(f);
      document.body.append(d);
      d.addEventListener('close', () => {
        const reason = d.returnValue === 'ok' ? sel.value : '';
        d.remove();
        resolve(reason || null);
      });
      d.showModal();
    });
  }

  // reveal asks for a reason and returns the application in clear, or {code} when refused.
  async function reveal(seqNo, headers, hashOf) {
    const reason = await askReason();
    if (!reason) return null;
    const resp = await fetch('../graphql', {
      method: 'POST',
      headers,
      cache: 'no-store',
      credentials: 'same-origin',
      body: JSON.stringify({
        operationName: REVEAL,
        variables: { seqNo, reason },
        extensions: { persistedQuery: { version: 1, sha256Hash: await hashOf(REVEAL) } },
      }),
    });
    let body = null;
    try { body = await resp.json(); } catch { body = null; }
    const err = body && body.errors && body.errors[0];
    if (err) return { code: (err.extensions && err.extensions.code) || 'HTTP_' + resp.status, message: err.message };
    return { application: body && body.data && body.data.revealApplication };
  }

  window.consoleAuth = {
    get enabled() { return !!(cfg.issuer && cfg.clientId); },
    get reveals() { return !!cfg.reveal; },
    // ready resolves once auth.json is read and a returning sign-in is finished: to the
    // conditions to look up again, or null.
    ready: (async () => {
      try {
        const r = await fetch('auth.json', { cache: 'no-cache' });
        if (r.ok) cfg = await r.json();
      } catch { /* no configuration: API keys, as before */ }
      return cfg.issuer && cfg.clientId ? finish() : null;
    })(),
    // header is the Authorization header of a signed-in agent, null when none is (or it expired).
    header() { const s = session(); return s ? 'Bearer ' + s.token : null; },
    who() { const s = session(); return s ? (s.name ? s.name + '（' + s.agent + '）' : s.agent) : ''; },
    signIn,
    signOut,
    reveal,
  };
})();
