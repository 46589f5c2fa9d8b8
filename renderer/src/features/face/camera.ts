/**
 * The face camera as the renderer sees it: whether one is present (for the checkout's face
 * tender) and opening it for video only. Frames never leave this page's memory.
 */
import { onMounted, onUnmounted, ref, type Ref } from 'vue';

/**
 * Whether a video input is listed (labels need no permission; presence is enough here), and
 * `settled`, which resolves once the first look has answered. Listing devices is asynchronous
 * and slow on a busy PC: a cashier who presses F4 right after the screen opens must not have the
 * key dropped as "no camera" before the list has even come back.
 */
export interface CameraPresence {
  present: Ref<boolean>;
  settled: Promise<void>;
}

export function useCameraPresent(): CameraPresence {
  const present = ref(false);
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const check = async () => {
    try {
      const list = await navigator.mediaDevices?.enumerateDevices();
      present.value = !!list?.some((d) => d.kind === 'videoinput');
    } catch {
      present.value = false;
    } finally {
      settle();
    }
  };
  onMounted(() => {
    void check();
    navigator.mediaDevices?.addEventListener('devicechange', check);
  });
  onUnmounted(() => {
    settle();
    navigator.mediaDevices?.removeEventListener('devicechange', check);
  });
  return { present, settled };
}

/** Opens the camera, video only (the app's permission handler refuses audio anyway). */
export async function openCamera(video: HTMLVideoElement): Promise<MediaStream> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  await video.play();
  return stream;
}

export function closeCamera(stream: MediaStream | null, video: HTMLVideoElement | null): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
  if (video) video.srcObject = null;
}
