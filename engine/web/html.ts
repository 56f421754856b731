/**
 * Server-rendered HTML for the pages: escaping and the layout every page
 * shares (a skip link, the navigation the user's roles allow, who is signed
 * in and a sign-out button, the session's CSRF token for the page script).
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text safe inside an element or a quoted attribute. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A tagged template whose interpolations are escaped unless they are `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false) return "";
  return esc(value);
}

export interface LayoutUser {
  readonly name: string;
  readonly roles: ReadonlySet<string>;
  readonly csrf: string;
}

export function layout(title: string, user: LayoutUser | undefined, body: Html): string {
  const nav = user
    ? html`<nav aria-label="Main"><ul>
        ${user.roles.has("view") ? html`<li><a href="/messages">Queue</a></li><li><a href="/status">Status</a></li>` : ""}
        ${user.roles.has("file-upload") ? html`<li><a href="/upload">Upload</a></li>` : ""}
      </ul>
      <p class="who">Signed in as <strong>${user.name}</strong> (${[...user.roles].join(", ") || "no roles"})
        <button type="button" id="sign-out">Sign out</button></p></nav>`
    : "";
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${user ? html`<meta name="csrf" content="${user.csrf}">` : ""}
<title>${title} · Rulepack</title>
<link rel="stylesheet" href="/assets/page.css">
<script src="/assets/page.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><span class="brand">Rulepack</span>${nav}</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.text;
}
