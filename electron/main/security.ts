/**
 * The Electron shell's security decisions as pure functions, so each is tested with hostile
 * input (electron/main/security.test.ts) without starting Electron.
 */

function parse(candidate: string): URL | null {
  try {
    return new URL(candidate);
  } catch {
    return null;
  }
}

/**
 * Same scheme, host and port, and no credentials. Compared field by field rather than through
 * `URL.origin`, which is the opaque "null" for a custom scheme such as `app:`.
 */
function sameOrigin(u: URL, app: URL): boolean {
  if (u.protocol !== app.protocol || u.username !== '' || u.password !== '') return false;
  if (app.protocol === 'http:' || app.protocol === 'https:') return u.origin === app.origin;
  if (app.protocol === 'app:') return u.host !== '' && u.host === app.host && u.port === app.port;
  return false; // file:, data:, about: … are never the app
}

/**
 * True only for the app's own page. In production that is the one `index.html` served over the
 * app's privileged scheme (`app://cashier/index.html`, any hash route; electron/main/app-protocol.ts);
 * in development, the electron-vite dev server's exact origin. Anything else (other paths,
 * other hosts, file://, look-alike prefixes) is foreign.
 */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  const u = parse(candidate);
  const app = parse(appUrl);
  if (!u || !app || !sameOrigin(u, app)) return false;
  return app.protocol === 'app:' ? u.pathname === app.pathname : true;
}

/**
 * True for the app's own origin (`app://cashier`, or the dev server's): what Chromium passes as
 * the requesting origin of a permission check, which carries no path.
 */
export function isAppOrigin(candidate: string, appUrl: string): boolean {
  const u = parse(candidate);
  const app = parse(appUrl);
  return u !== null && app !== null && sameOrigin(u, app) && (u.pathname === '' || u.pathname === '/');
}

/**
 * Links the app may hand to the OS: https only (an acquirer's help page, say). Never file:,
 * smb:, javascript:, custom protocol handlers or http with credentials: each of those has been
 * a route from a link to code execution on a desktop.
 */
export function isSafeExternalUrl(candidate: string): boolean {
  try {
    const u = new URL(candidate);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** Permissions the app's own page may have: the camera for face payment, nothing else. */
export function isPermissionAllowed(
  permission: string,
  requestingUrl: string,
  appUrl: string,
  mediaTypes: readonly string[] = [],
): boolean {
  if (!isAppUrl(requestingUrl, appUrl)) return false;
  if (permission !== 'media') return false;
  return mediaTypes.length > 0 && mediaTypes.every((t) => t === 'video');
}

/**
 * The web preferences of every window: the settings the hardening tests assert. `devTools` is
 * false in a packaged (installed) build: at the counter, DevTools would be a console holding the
 * whole bridge; a development run keeps them.
 */
export function secureWebPreferences(preload: string, opts: { devTools: boolean } = { devTools: false }) {
  return {
    preload,
    devTools: opts.devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  } as const;
}

/**
 * The windows the page may open itself, in demo mode only, both the app's own page: the
 * customer's phone (`#/phone`) and the customer display (`#/customer`), so a trainer can put
 * them on a projector or beside the till on a one-screen training machine (the end-to-end specs
 * open them so too). Live mode never opens windows: its customer display is main's, on a second
 * screen.
 */
const DEMO_CHILD_WINDOWS: Readonly<Record<string, { width: number; height: number; title: string }>> = {
  '#/phone': { width: 420, height: 760, title: '顾客手机（培训）' },
  '#/customer': { width: 1024, height: 768, title: '顾客显示屏（培训）' },
};

/** The size and title of a window the page may open (above), or null when it may not. */
export function demoChildWindow(candidate: string, appUrl: string, mode: 'demo' | 'live'): { width: number; height: number; title: string } | null {
  if (mode !== 'demo' || !isAppUrl(candidate, appUrl)) return null;
  try {
    const hash = new URL(candidate).hash;
    return Object.hasOwn(DEMO_CHILD_WINDOWS, hash) ? DEMO_CHILD_WINDOWS[hash]! : null;
  } catch {
    return null;
  }
}

export function isAllowedChildWindow(candidate: string, appUrl: string, mode: 'demo' | 'live'): boolean {
  return demoChildWindow(candidate, appUrl, mode) !== null;
}
