import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SignedIn } from './consoleSession';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

const NAV: [string, string][] = [
  ['/', 'Incidents'],
  ['/console/oncall', 'On call'],
  ['/console/maintenance', 'Maintenance'],
  ['/console/checklists', 'Checklists'],
  ['/console/audit', 'Audit'],
  ['/console/reports', 'Reports'],
];

/** Headers of every console page: never cached (it names people and incidents), never framed, scripts and styles from this origin only. */
export function pageHeaders(c: Context) {
  c.header('Cache-Control', 'no-store');
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
}

/** A console page: a skip link, the navigation with who is signed in and a sign-out form, then the page's content. */
export function layout(
  c: Context,
  o: { title: string; signedIn?: SignedIn; current?: string; body: Markup; status?: 200 | 400 | 401 | 403 | 404 | 409 | 503 },
) {
  pageHeaders(c);
  const who = o.signedIn;
  const nav = who
    ? html`<nav aria-label="Console">
        <ul class="nav">
          ${NAV.map(([href, label]) => html`<li><a href="${href}" ${o.current === href ? raw('aria-current="page"') : ''}>${label}</a></li>`)}
        </ul>
        <form method="post" action="/console/sign-out" class="signout">
          <input type="hidden" name="csrf" value="${who.session.csrfToken}" />
          <span>${who.person.name}</span> <button type="submit" class="link">Sign out</button>
        </form>
      </nav>`
    : '';
  return c.html(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>${o.title} · dbops</title>
          <link rel="stylesheet" href="/console/assets/console.css" />
          <script src="/console/assets/console.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">Skip to content</a>
          <header>${nav}</header>
          <main id="main">
            <h1>${o.title}</h1>
            ${o.body}
          </main>
        </body>
      </html>`,
    o.status ?? 200,
  );
}

/** The hidden field every form of a signed-in page carries. */
export const csrfField = (signedIn: SignedIn) => html`<input type="hidden" name="csrf" value="${signedIn.session.csrfToken}" />`;

/** A refusal, as the API words it, with the action policy's rule when it was the policy. */
export const refusalBox = (error: string, rule?: string) =>
  html`<div class="refusal" role="alert">
    <strong>Refused.</strong> ${error}${rule ? html` <span class="rule">Rule: <code>${rule}</code></span>` : ''}
  </div>`;
