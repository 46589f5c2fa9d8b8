import { describe, expect, it } from 'vitest';
import { isAllowedChildWindow, isAppOrigin, isAppUrl, isPermissionAllowed, isSafeExternalUrl, secureWebPreferences } from './security';

const APP = 'app://cashier/index.html';
const DEV = 'http://localhost:5173/';

describe('isAppUrl', () => {
  it.each([
    APP,
    `${APP}#/checkout`,
    `${APP}#/customer`,
    `${APP}?x=1`,
  ])('accepts the app page %s', (u) => expect(isAppUrl(u, APP)).toBe(true));

  it.each([
    'app://cashier/other.html',
    'app://cashier/',
    'app://cashier/index.html/../../x',
    'app://cashier/assets/../index.html.evil',
    'app://evil/index.html',
    'app://cashier.evil.example/index.html',
    'app://cashier:8080/index.html',
    'app://user@cashier/index.html',
    'app:///index.html',
    'app:index.html',
    // The old file:// page is no longer the app, wherever it is.
    'file:///opt/cashier/resources/app.asar/out/renderer/index.html',
    'file:///etc/passwd',
    'file://cashier/index.html',
    'https://cashier/index.html',
    'http://localhost:5173/',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'about:blank',
    '',
    'not a url',
    'chrome://settings',
    'devtools://devtools/bundled/inspector.html',
  ])('refuses the foreign page %s', (u) => expect(isAppUrl(u, APP)).toBe(false));

  it('in development accepts only the dev server origin exactly', () => {
    expect(isAppUrl('http://localhost:5173/#/login', DEV)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', DEV)).toBe(false);
    expect(isAppUrl('http://localhost.evil.example:5173/', DEV)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', DEV)).toBe(false);
    expect(isAppUrl('http://localhost:5173.evil.example/', DEV)).toBe(false);
    expect(isAppUrl('http://u:p@localhost:5173/', DEV)).toBe(false);
    expect(isAppUrl(APP, DEV)).toBe(false);
  });
});

describe('isAppOrigin', () => {
  it('accepts the app origin as Chromium reports it, and the dev server origin in development', () => {
    expect(isAppOrigin('app://cashier', APP)).toBe(true);
    expect(isAppOrigin('app://cashier/', APP)).toBe(true);
    expect(isAppOrigin('http://localhost:5173', DEV)).toBe(true);
  });
  it.each(['app://evil', 'app://cashier.evil', 'app://cashier:1', 'file://', 'file:///', 'null', '', 'https://cashier', 'app://cashier/index.html'])(
    'refuses %s',
    (o) => expect(isAppOrigin(o, APP)).toBe(false),
  );
});

describe('isSafeExternalUrl', () => {
  it('allows plain https links', () => {
    expect(isSafeExternalUrl('https://www.example.com/help')).toBe(true);
  });
  it.each([
    'http://example.com',
    'file:///C:/Windows/System32/calc.exe',
    'smb://server/share',
    'javascript:alert(1)',
    'ms-msdt:/id PCWDiagnostic',
    'search-ms:query=x',
    'https://user:pass@example.com',
    'vbscript:msgbox',
    '',
    '//example.com',
  ])('refuses %s', (u) => expect(isSafeExternalUrl(u)).toBe(false));
});

describe('isPermissionAllowed', () => {
  it('grants the camera (video only) to the app page', () => {
    expect(isPermissionAllowed('media', APP, APP, ['video'])).toBe(true);
  });
  it('refuses the microphone, other permissions and other pages', () => {
    expect(isPermissionAllowed('media', APP, APP, ['audio'])).toBe(false);
    expect(isPermissionAllowed('media', APP, APP, ['video', 'audio'])).toBe(false);
    expect(isPermissionAllowed('media', APP, APP, [])).toBe(false);
    for (const p of ['geolocation', 'notifications', 'clipboard-read', 'usb', 'hid', 'serial', 'openExternal', 'fullscreen']) {
      expect(isPermissionAllowed(p, APP, APP, ['video'])).toBe(false);
    }
    expect(isPermissionAllowed('media', 'https://evil.example/', APP, ['video'])).toBe(false);
  });
});

describe('secureWebPreferences', () => {
  it('isolates, sandboxes and denies Node to every window', () => {
    const p = secureWebPreferences('/x/preload.cjs');
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('isAllowedChildWindow', () => {
  it('allows only the demo phone and customer display pages of the app, only in demo mode', () => {
    expect(isAllowedChildWindow(`${APP}#/phone`, APP, 'demo')).toBe(true);
    expect(isAllowedChildWindow(`${APP}#/phone`, APP, 'live')).toBe(false);
    expect(isAllowedChildWindow(`${APP}#/customer`, APP, 'demo')).toBe(true);
    expect(isAllowedChildWindow(`${APP}#/customer`, APP, 'live')).toBe(false);
    expect(isAllowedChildWindow(`${APP}#/customers`, APP, 'demo')).toBe(false);
    expect(isAllowedChildWindow('https://evil.example/#/customer', APP, 'demo')).toBe(false);
    expect(isAllowedChildWindow(`${APP}#/checkout`, APP, 'demo')).toBe(false);
    expect(isAllowedChildWindow('https://evil.example/#/phone', APP, 'demo')).toBe(false);
    expect(isAllowedChildWindow('file:///tmp/x.html#/phone', APP, 'demo')).toBe(false);
    expect(isAllowedChildWindow('app://evil/index.html#/phone', APP, 'demo')).toBe(false);
    expect(isAllowedChildWindow('not a url', APP, 'demo')).toBe(false);
  });
});
