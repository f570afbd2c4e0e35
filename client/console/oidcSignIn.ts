import type { Configuration } from 'openid-client';
import type { OidcSettings } from './consoleSettings';
import type { IdentityClaims } from './personOfIdentity';

/** What a sign-in keeps between leaving for the provider and coming back (server-side, by its state). */
export interface SignInStart {
  url: string;
  state: string;
  codeVerifier: string;
  nonce: string;
}

/**
 * Sign-in with the team's OpenID Provider through `openid-client`: the authorization code flow with PKCE (S256), a
 * state and a nonce, the client authenticated with its secret (HTTP Basic). The provider's metadata is discovered on
 * first use and kept; a discovery that fails is tried again on the next sign-in. Plain http is allowed only for a
 * provider on this machine (a test's, a developer's).
 */
export function oidcSignIn(settings: OidcSettings) {
  let configuration: Promise<Configuration> | undefined;
  const client = () => import('openid-client');
  const config = () =>
    (configuration ??= client().then(async (oidc) => {
      const issuer = new URL(settings.issuer);
      const local = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      return oidc.discovery(
        issuer,
        settings.clientId,
        undefined,
        oidc.ClientSecretBasic(settings.clientSecret),
        local ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
    })).catch((err: unknown) => {
      configuration = undefined;
      throw err;
    });

  return {
    async start(redirectUri: string): Promise<SignInStart> {
      const oidc = await client();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(await config(), {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, state, codeVerifier, nonce };
    },
    /** The identity the provider vouches for, from the callback's URL; throws if the code, state or ID token do not check out. */
    async finish(callbackUrl: URL, checks: { state: string; codeVerifier: string; nonce: string }): Promise<IdentityClaims> {
      const oidc = await client();
      const tokens = await oidc.authorizationCodeGrant(await config(), callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('the provider returned no ID token');
      if (claims.email !== undefined) return claims as IdentityClaims;
      // Many providers put the e-mail in the UserInfo response only (the ID token of a code flow carries the subject).
      const info = await oidc.fetchUserInfo(await config(), tokens.access_token, claims.sub);
      return { sub: claims.sub, email: info.email, email_verified: info.email_verified };
    },
  };
}

export type OidcSignIn = ReturnType<typeof oidcSignIn>;
