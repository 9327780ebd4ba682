import type { AssetUrls } from "../types.ts";

/** Props of {@linkcode LoginPage}. */
export interface LoginPageProps {
  assets: AssetUrls;
  /** Where to go after signing in (a local path). */
  next: string;
  error: string | null;
}

/** The sign-in form: the server's API key, kept in an HttpOnly cookie. */
export function LoginPage({ assets, next, error }: LoginPageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Sign in · IronFlow</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assets.css} />
      </head>
      <body>
        <main>
          <section class="panel login">
            <h1>
              Iron<span class="s-RUNNING">Flow</span>
            </h1>
            <p class="muted">
              This server requires its API key (<code>IRONFLOW_API_KEY</code>).
            </p>
            {error && <div class="flash bad" role="alert">{error}</div>}
            <form method="post" action="/login">
              <input type="hidden" name="next" value={next} />
              <label for="key">API key</label>
              <input id="key" name="key" type="password" autocomplete="current-password" required />
              <button type="submit">Sign in</button>
            </form>
          </section>
        </main>
      </body>
    </html>
  );
}
