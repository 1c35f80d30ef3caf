// The HTML error page authentik answers when Django cannot resolve a URL, under /api/v3/ too:
// authentik/root/urls.py sets handler404 = error.NotFoundView, a TemplateView rendering
// if/error.html (title block = brand.branding_title, card title "Not Found", a "Go home" link)
// inside login/base_full.html. There is no JSON 404 for unknown API paths: DRF only answers JSON
// once a route matched (e.g. "No User matches the given query.").
// The page is a condensed rendering of those templates (no stylesheets, scripts or background
// SVG); what clients can rely on is the same: status, text/html, the <title> and the headline.
import type { StandinState } from './types.js';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c] ?? c);

export interface Page {
  status: number;
  contentType: string;
  body: string;
}

/** 404 "Not Found" (NotFoundView); other handlers share the template with another title. */
export function errorPage(state: StandinState, status = 404, title = 'Not Found'): Page {
  const brand = state.brand;
  const body = `<!DOCTYPE html>

<html lang="en">
    <head>
        <meta charset="UTF-8">
        <meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1">
        <title>${escapeHtml(brand.branding_title)}</title>
        <link rel="icon" href="${escapeHtml(brand.branding_favicon)}">
        <link rel="shortcut icon" href="${escapeHtml(brand.branding_favicon)}">
    </head>
    <body>
<div class="pf-c-login">
    <div class="ak-login-container">
        <header class="pf-c-login__header">
            <div class="pf-c-brand ak-brand">
                <img src="${escapeHtml(brand.branding_logo)}" alt="authentik icon" />
            </div>
        </header>
        <main class="pf-c-login__main">
            <header class="pf-c-login__main-header">
                <h1 class="pf-c-title pf-m-3xl">
${escapeHtml(title)}
                </h1>
            </header>
            <div class="pf-c-login__main-body">
<div class="pf-c-form">
    <p></p>

    <div class="pf-c-form__group">
        <a id="ak-back-home" href="/" class="pf-c-button pf-m-primary pf-m-block">
            Go home
        </a>
    </div>
</div>
            </div>
        </main>
        <footer class="pf-c-login__footer">
            <p></p>
            <ul class="pf-c-list pf-m-inline">
                <li>
                    <a href="https://goauthentik.io?utm_source=authentik">
                        Powered by authentik
                    </a>
                </li>
            </ul>
        </footer>
    </div>
</div>
    </body>
</html>
`;
  return { status, contentType: 'text/html; charset=utf-8', body };
}
