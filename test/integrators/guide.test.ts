// docs/integrators.md against the files and the provider it describes: every code block is a file
// of examples/ (word for word), every link resolves, the Spring / ASP.NET Core / PHP / Apache settings
// name only what our discovery document offers, and the sandbox identities are those of config/sandbox/.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type TestServer } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');
const GUIDES = ['docs/integrators.md', 'docs/integrators.vi.md'];

interface Discovery {
  scopes_supported: string[]; claims_supported: string[]; response_types_supported: string[]; response_modes_supported: string[];
  grant_types_supported: string[]; token_endpoint_auth_methods_supported: string[]; id_token_signing_alg_values_supported: string[];
  code_challenge_methods_supported: string[]; end_session_endpoint?: string; userinfo_endpoint?: string; acr_values_supported: string[];
}

/** All matches of group 1. */
const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);
const subset = (what: string, values: string[], supported: string[]) => {
  assert.ok(values.length > 0, `${what}: found in the file`);
  for (const v of values) assert.ok(supported.includes(v), `${what}: ${v} is in discovery (${supported.join(', ')})`);
};

describe('the integrators\' guide and the examples it quotes', function () {
  this.timeout(60_000);
  let s: TestServer;
  let d: Discovery;
  const guide = read('docs/integrators.md');
  before(async () => {
    s = await startServer();
    d = (await (await fetch(`${s.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
  });
  after(async () => { await s?.close(); });

  it('every code block other than shell commands is a file of the repository, word for word', () => {
    const blocks = [...guide.matchAll(/(?:<!-- file: (\S+) -->\n)?( *)```(\w*)\n([\s\S]*?)\n\2```/g)];
    assert.ok(blocks.length >= 6, 'the guide has its examples');
    for (const [, file, , lang, body] of blocks) {
      if (lang === 'sh') continue;
      assert.ok(file, `a ${lang || 'plain'} block names the file it comes from: ${body!.slice(0, 80)}`);
      assert.equal(body, read(file).replace(/\n+$/, ''), `${file} is quoted as it is`);
    }
  });

  it('every relative link of both guides resolves to a file or folder', () => {
    for (const g of GUIDES) {
      for (const link of all(read(g), /\]\((\.\.?\/[^)#\s]+|[\w.-]+\.md)(?:#[^)]*)?\)/g)) {
        assert.ok(existsSync(path.resolve(ROOT, 'docs', link)), `${g}: ${link} exists`);
      }
    }
  });

  it('the scopes table lists what discovery offers to relying parties', () => {
    const table = all(guide.split('## Scopes and claims')[1]!.split('\n## ')[0]!, /^\| `([a-z_:]+)` \|/gm);
    assert.deepEqual(table.sort(), d.scopes_supported.filter((x) => x !== 'counter:register').sort());
    assert.deepEqual(d.acr_values_supported, ['2', '3']);
  });

  it('Spring Security: scopes, client authentication, grant, user name claim, ID token algorithm and PKCE', () => {
    const yml = read('examples/spring/application.yml');
    const java = read('examples/spring/DvcSecurityConfig.java');
    subset('scope', /scope: (.+)/.exec(yml)![1]!.split(','), d.scopes_supported);
    subset('client-authentication-method', all(yml, /client-authentication-method: (\S+)/g), d.token_endpoint_auth_methods_supported);
    subset('authorization-grant-type', all(yml, /authorization-grant-type: (\S+)/g), d.grant_types_supported);
    subset('user-name-attribute', all(yml, /user-name-attribute: (\S+)/g), d.claims_supported);
    assert.match(yml, /issuer-uri: \$\{DVC_ISSUER\}/, 'configured by discovery from the issuer');
    subset('ID token algorithm', all(java, /SignatureAlgorithm\.(\w+)/g), d.id_token_signing_alg_values_supported);
    assert.match(java, /withPkce\(\)/);
    assert.ok(d.code_challenge_methods_supported.includes('S256'));
    assert.match(java, /OidcClientInitiatedLogoutSuccessHandler/);
    assert.ok(d.end_session_endpoint, 'RP-initiated logout is in discovery');
  });

  it('ASP.NET Core AddOpenIdConnect: response type and mode, PKCE, scopes, algorithms, claims, client authentication', () => {
    const cs = read('examples/aspnet/Program.cs');
    assert.match(cs, /ResponseType = OpenIdConnectResponseType\.Code;/);
    assert.ok(d.response_types_supported.includes('code'));
    assert.match(cs, /ResponseMode = OpenIdConnectResponseMode\.FormPost;/);
    assert.ok(d.response_modes_supported.includes('form_post'));
    assert.match(cs, /UsePkce = true;/);
    assert.ok(d.code_challenge_methods_supported.includes('S256'));
    subset('Scope.Add', all(cs, /Scope\.Add\("([^"]+)"\)/g), d.scopes_supported);
    subset('ValidAlgorithms', /ValidAlgorithms = new\[\] \{ ([^}]+) \}/.exec(cs)![1]!.split(',').map((x) => x.trim().replace(/"/g, '')), d.id_token_signing_alg_values_supported);
    subset('NameClaimType and claims read', [...all(cs, /NameClaimType = "([^"]+)"/g), ...all(cs, /FindFirst\("([^"]+)"\)/g)], d.claims_supported);
    // The handler sends the secret in the body: the comment tells integrators to register that method.
    subset('registered auth method', all(cs, /token_endpoint_auth_method "([^"]+)"/g), d.token_endpoint_auth_methods_supported);
    assert.match(cs, /GetClaimsFromUserInfoEndpoint = true;/);
    assert.ok(d.userinfo_endpoint);
  });

  it('PHP jumbojett/openid-connect-php: scopes, PKCE method, client authentication, claims, algorithm', () => {
    const php = read('examples/php/login.php');
    subset('addScope', all(/addScope\(\[([^\]]+)\]\)/.exec(php)![1]!, /'([^']+)'/g), d.scopes_supported);
    subset('setCodeChallengeMethod', all(php, /setCodeChallengeMethod\('([^']+)'\)/g), d.code_challenge_methods_supported);
    subset('setTokenEndpointAuthMethodsSupported', all(/setTokenEndpointAuthMethodsSupported\(\[([^\]]+)\]\)/.exec(php)![1]!, /'([^']+)'/g), d.token_endpoint_auth_methods_supported);
    subset('claims read', [...all(php, /getVerifiedClaims\('([^']+)'\)/g), ...all(php, /requestUserInfo\('([^']+)'\)/g)], d.claims_supported);
    subset('registered ID token algorithm', all(php, /id_token_signed_response_alg "([^"]+)"/g), d.id_token_signing_alg_values_supported);
    assert.match(php, /signOut\(/);
    assert.ok(d.end_session_endpoint);
  });

  it('Apache mod_auth_openidc: scopes, PKCE, response type and client authentication', () => {
    const conf = read('examples/apache/dvc-id.conf');
    subset('OIDCScope', /OIDCScope "([^"]+)"/.exec(conf)![1]!.split(' '), d.scopes_supported);
    subset('OIDCPKCEMethod', all(conf, /OIDCPKCEMethod (\S+)/g), d.code_challenge_methods_supported);
    subset('OIDCResponseType', all(conf, /OIDCResponseType (\S+)/g), d.response_types_supported);
    subset('OIDCProviderTokenEndpointAuth', all(conf, /OIDCProviderTokenEndpointAuth (\S+)/g), d.token_endpoint_auth_methods_supported);
    subset('OIDCRemoteUserClaim', all(conf, /OIDCRemoteUserClaim (\S+)/g), d.claims_supported);
  });

  it('the sandbox identities are config/sandbox/\'s, for every method', () => {
    const json = <T>(f: string) => JSON.parse(read(`config/sandbox/${f}.json`)) as T;
    const accounts = json<{ accounts: { cccd?: string; mst?: string; password: string; phone: string }[] }>('accounts').accounts;
    const sims = json<{ subscribers: { phone: string }[]; notASigningSimExample: string; unavailable: string[] }>('sim');
    const tokens = json<{ tokens: { name: string }[] }>('usb').tokens;
    const vnpost = json<{ users: { username: string; password: string }[] }>('vnpost').users;
    const local = (p: string) => `0${p.slice(3)}`;
    const expected = [
      ...accounts.flatMap((a) => [a.cccd ?? a.mst!, a.password, a.phone]),
      ...[...sims.subscribers.map((x) => x.phone), sims.notASigningSimExample, ...sims.unavailable].map(local),
      ...tokens.map((t) => t.name), ...vnpost.flatMap((u) => [u.username, u.password]),
    ];
    for (const v of expected) assert.ok(guide.includes(`\`${v}\``), `the guide lists ${v}`);
    for (const how of ['/sandbox/sms', '/sandbox/phone', 'npm run usb-agent', '/sandbox/vnpost']) assert.ok(guide.includes(how), `the guide says how to drive ${how}`);
  });
});
