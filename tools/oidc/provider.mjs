// The OpenID Provider of the tests and of the demo: node-oidc-provider (OpenID Certified),
// configured as a bank's provider would be for createinfo. It issues JWT access tokens for one
// audience (resource indicators) carrying preferred_username, name and roles; integration
// clients use client_credentials, the console is a public client using authorization code with
// PKCE, and agents sign in through the library's development login form (any password: a test
// and demo provider, never a production one).
//
// Usage: node provider.mjs config.json — the file, written by tools/oidc/oidc.go or by
// `make demo-oidc`, holds:
//   issuer      the issuer URL, http://127.0.0.1:<port> (the provider listens on that port)
//   audience    the resource indicator and "aud" of the access tokens
//   jwks        {keys: [private JWKs]}: the first key of an algorithm signs; omitted, one RSA key
//               is generated at start. Restarting with another set is how a test rotates keys.
//   accounts    {login: {name, roles}}: the agents who can sign in
//   clients     [{client_id, client_secret?, roles?, alg?, ttl?, redirect_uris?}]: a client with
//               a secret uses client_credentials, one without is a public (PKCE) client
//   resources   other audiences a client may ask for (to make wrong-audience tokens)
// It prints "ready <issuer>" once it listens.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider, { errors } from 'oidc-provider';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = new URL(cfg.issuer);
const accounts = cfg.accounts || {};
const clients = new Map((cfg.clients || []).map((c) => [c.client_id, c]));
const resources = new Set([cfg.audience, ...(cfg.resources || [])]);

let jwks = cfg.jwks;
if (!jwks) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  jwks = { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'demo-' + Date.now().toString(36), alg: 'RS256', use: 'sig' }] };
}

// The claims createinfo reads, in every access token: who (preferred_username, name) and which
// roles or groups (roles); a client's own for client_credentials, the signed-in agent's
// otherwise; and nbf, as Entra ID and Keycloak put in theirs.
function tokenClaims(token) {
  const nbf = Math.floor(Date.now() / 1000);
  if (token.accountId) {
    const a = accounts[token.accountId] || {};
    return { preferred_username: token.accountId, name: a.name, roles: a.roles, nbf };
  }
  const c = clients.get(token.clientId) || {};
  return { preferred_username: c.preferred_username ?? token.clientId, roles: c.roles, nbf };
}

const provider = new Provider(issuer.origin, {
  jwks,
  clients: [...clients.values()].map((c) => (c.client_secret
    ? { client_id: c.client_id, client_secret: c.client_secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }
    : {
      client_id: c.client_id, token_endpoint_auth_method: 'none', application_type: 'web',
      grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.redirect_uris,
    })),
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, preferred_username: id, name: accounts[id].name }; } };
  },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  scopes: ['openid', 'profile'],
  pkce: { required: () => true },
  clientBasedCORS(ctx, origin, client) {
    return (client.redirectUris || []).some((u) => new URL(u).origin === origin);
  },
  // The console is first party: no consent screen; its grant covers createinfo's audience.
  async loadExistingGrant(ctx) {
    const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (id) return ctx.oidc.provider.Grant.find(id);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile');
    grant.addResourceScope(cfg.audience, 'lookup');
    await grant.save();
    return grant;
  },
  extraTokenClaims: (ctx, token) => tokenClaims(token),
  ttl: {
    AccessToken: (ctx, token, client) => clients.get(client?.clientId)?.ttl ?? 600,
    ClientCredentials: (ctx, token, client) => clients.get(client?.clientId)?.ttl ?? 600,
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => cfg.audience,
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, indicator, client) {
        if (!resources.has(indicator)) throw new errors.InvalidTarget();
        const c = clients.get(client.clientId) || {};
        return {
          scope: 'lookup', audience: indicator, accessTokenFormat: 'jwt',
          accessTokenTTL: c.ttl ?? 600, jwt: { sign: { alg: c.alg || 'RS256' } },
        };
      },
    },
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(Number(issuer.port), issuer.hostname, () => console.log('ready ' + issuer.origin));
