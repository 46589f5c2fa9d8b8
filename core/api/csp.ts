/**
 * The Content-Security-Policy of the app's pages, shared by both shells: nothing from a remote
 * origin, no inline script, no eval. `connect-src 'self'` covers the browser shell's same-origin
 * WebSocket; data:/blob: images carry generated QR codes and the simulated printer's receipt;
 * blob: media carries the camera preview and voice clips.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // 'wasm-unsafe-eval' lets the page compile WebAssembly (the face model's TF.js kernels, served
  // from 'self'); it does not allow eval() or inline script. Nothing else here is relaxed.
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
