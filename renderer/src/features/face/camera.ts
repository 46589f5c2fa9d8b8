/**
 * The face camera as the renderer sees it: whether one is present (for the checkout's face
 * tender) and opening it for video only. Frames never leave this page's memory.
 */
import { onMounted, onUnmounted, ref, type Ref } from 'vue';

/** True while a video input is listed (labels need no permission; presence is enough here). */
export function useCameraPresent(): Ref<boolean> {
  const present = ref(false);
  const check = async () => {
    try {
      const list = await navigator.mediaDevices?.enumerateDevices();
      present.value = !!list?.some((d) => d.kind === 'videoinput');
    } catch {
      present.value = false;
    }
  };
  onMounted(() => {
    void check();
    navigator.mediaDevices?.addEventListener('devicechange', check);
  });
  onUnmounted(() => navigator.mediaDevices?.removeEventListener('devicechange', check));
  return present;
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
