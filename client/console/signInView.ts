import { html } from 'hono/html';
import { refusalBox } from './layout';

/** The sign-in page: the team's identity provider first, a personal token for teams without one. */
export const signInBody = (o: { oidc: boolean; returnTo: string; formToken: string; message?: string }) =>
  html`${o.message ? refusalBox(o.message) : ''}
    ${
      o.oidc
        ? html`<p>
              <a class="button" href="/console/sign-in/oidc?return=${encodeURIComponent(o.returnTo)}"
                >Sign in with your identity provider</a
              >
            </p>
            <h2>Or with a personal token</h2>`
        : ''
    }
    <form method="post" action="/console/sign-in/token">
      <input type="hidden" name="csrf" value="${o.formToken}" />
      <input type="hidden" name="return" value="${o.returnTo}" />
      <label for="token">Personal token</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required size="40" />
      <p class="muted">A token starts with dbops_pat_; an admin makes one with <code>dbops token create --person ID</code>.</p>
      <button type="submit">Sign in</button>
    </form>`;
