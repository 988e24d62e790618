// A live dashboard: every view renders from subscriptions in the browser, so the server only
// serves the app shell.
export const ssr = false;
export const prerender = false;
