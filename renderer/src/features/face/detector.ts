/**
 * Face detection on the camera's frames with the models shipped in @vladmandic/human, run by
 * TF.js on its WebAssembly backend (WebGL is missing in headless Chromium and on many old
 * cashier PCs; the wasm kernels and the models are served from the app's own origin, see
 * drivers/camera/model-assets.ts). Nothing is fetched from the network.
 *
 * It turns one video frame into the `FaceFrame` that drivers/camera/liveness.ts judges, and the
 * chosen frame into an embedding. Frames stay in memory (a canvas); the embedding is returned
 * as base64 for `face:identify` and never stored.
 */
import type { FaceFrame } from '../../../../drivers/camera/liveness';

type HumanModule = typeof import('@vladmandic/human');
type Human = InstanceType<HumanModule['Human']>;

/** Where the build puts the shipped files (drivers/camera/model-assets.ts: FACE_ASSET_DIR). */
const BASE = new URL('./face-models/', document.baseURI).href;

let loading: Promise<Human> | null = null;

/** Loads the models once (a second or two on wasm); later calls share the same instance. */
export function loadDetector(): Promise<Human> {
  loading ??= (async () => {
    // A separate chunk: the checkout does not pay for the model code until face pay is chosen.
    const { Human } = await import('@vladmandic/human');
    const h = new Human({
      backend: 'wasm',
      wasmPath: `${BASE}wasm/`,
      wasmPlatformFetch: false,
      modelBasePath: BASE,
      async: true,
      warmup: 'none',
      debug: false,
      // Every frame is judged afresh: a cached result would let a frozen picture pass a challenge.
      cacheSensitivity: 0,
      face: {
        enabled: true,
        detector: { enabled: true, modelPath: 'blazeface.json', rotation: false, maxDetected: 3, minConfidence: 0.3, return: false },
        mesh: { enabled: true, modelPath: 'facemesh.json' },
        iris: { enabled: false },
        attention: { enabled: false },
        emotion: { enabled: false },
        antispoof: { enabled: true, modelPath: 'antispoof.json' },
        liveness: { enabled: true, modelPath: 'liveness.json' },
        // The embedding model runs only on the chosen frame (embed()), not on every frame.
        description: { enabled: false, modelPath: 'faceres.json' },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
      filter: { enabled: false },
    });
    await h.load({ face: { description: { enabled: true } } });
    await h.tf.ready();
    return h;
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

type Point = [number, number, number?];
function dist(m: Point[], a: number, b: number): number {
  return Math.hypot(m[a]![0] - m[b]![0], m[a]![1] - m[b]![1]);
}

/**
 * Eye openness 0–1 from the mesh: the lid gap over the eye's width (open ≈ 0.3, shut ≈ 0.05),
 * the smaller eye of the two, so a wink does not count as open.
 */
export function eyesOpen(mesh: Point[]): number {
  if (mesh.length < 468) return 0;
  const r = Math.min(dist(mesh, 159, 145) / dist(mesh, 33, 133), dist(mesh, 386, 374) / dist(mesh, 362, 263));
  return Math.max(0, Math.min(1, (r - 0.08) / (0.25 - 0.08)));
}

/** Per video frame: detection, mesh, anti-spoof and liveness; the embedding model only in embed(). */
const PER_FRAME = { face: { description: { enabled: false }, antispoof: { enabled: true }, liveness: { enabled: true } } };

/** One frame in, one `FaceFrame` out (timestamp from the caller's monotonic clock). */
export async function detectFrame(h: Human, source: HTMLVideoElement | HTMLCanvasElement, t: number): Promise<FaceFrame> {
  // Human merges a per-call config into its own, so each call states the models it wants.
  const r = await h.detect(source, PER_FRAME);
  const faces = r.face.filter((f) => f.score >= 0.3);
  const f = faces[0];
  if (!f) return { t, faces: 0, box: null, score: 0, real: 0, live: 0, yaw: 0, eyesOpen: 0 };
  const clamp = (v: number) => Math.max(0, Math.min(1, v));
  const [x, y, w, hh] = f.boxRaw;
  return {
    t,
    faces: faces.length,
    box: { x: clamp(x), y: clamp(y), w: clamp(w), h: clamp(hh) },
    score: clamp(f.score),
    real: clamp(f.real ?? 0),
    live: clamp(f.live ?? 0),
    // Human's yaw is positive when the face turns to the image's left; liveness.ts wants the
    // customer's left (the image's right), hence the sign.
    yaw: -(f.rotation?.angle.yaw ?? 0),
    eyesOpen: f.mesh?.length ? eyesOpen(f.mesh as Point[]) : 0,
  };
}

/** The embedding of the one face in `frame`, as base64 float32 little-endian; null if none. */
export async function embed(h: Human, frame: HTMLCanvasElement): Promise<string | null> {
  const r = await h.detect(frame, { face: { description: { enabled: true }, antispoof: { enabled: false }, liveness: { enabled: false } } });
  await h.detect(frame, PER_FRAME); // leave the instance configured for the next challenge
  const e = r.face[0]?.embedding;
  if (!e || e.length !== 1024) return null;
  const bytes = new Uint8Array(new Float32Array(e).buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s);
}
