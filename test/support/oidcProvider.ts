import type { Server } from 'node:http';
import { createServer } from 'node:http';

/**
 * A real OpenID Provider for the console's sign-in tests: the certified `oidc-provider` package on 127.0.0.1, its
 * development login form (any password) and consent page, PKCE required, one confidential client. `accounts` maps a
 * login to its e-mail (verified); any other login gets no e-mail.
 */
export async function startOidcProvider(o: {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accounts: Record<string, string>;
}): Promise<{ issuer: string; close(): Promise<void> }> {
  const { default: Provider } = await import('oidc-provider');
  const issuer = `http://127.0.0.1:${o.port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: [o.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    cookies: { keys: ['console-test-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, ...(o.accounts[id] ? { email: o.accounts[id], email_verified: true } : {}) }),
    }),
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(o.port, '127.0.0.1', resolve));
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
