/** Where the picture lies inside the overlay, and normalised points ↔ pixels. */
import { containRect } from "../live/draw";

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The natural size of the picture shown inside `host` (a <video> or the MJPEG canvas). */
export function mediaSize(host: HTMLElement): { w: number; h: number } | null {
  for (const el of host.querySelectorAll<HTMLVideoElement | HTMLCanvasElement>("video, canvas")) {
    if (el.hidden || el.dataset.testid === "live-overlay") continue;
    if (el instanceof HTMLVideoElement && el.videoWidth > 0) return { w: el.videoWidth, h: el.videoHeight };
    if (el instanceof HTMLCanvasElement && el.width > 0 && el.dataset.testid === "live-picture")
      return { w: el.width, h: el.height };
  }
  return null;
}

export function pictureRect(host: HTMLElement): Rect {
  const size = mediaSize(host);
  const w = host.clientWidth;
  const h = host.clientHeight;
  return size ? containRect(w, h, size.w, size.h) : { x: 0, y: 0, w, h };
}

/** The normalised (0..1) point of a click at client (cx, cy), or null outside the picture. */
export function pointIn(rect: Rect, box: DOMRect, cx: number, cy: number): { x: number; y: number } | null {
  if (rect.w <= 0 || rect.h <= 0) return null;
  const x = (cx - box.left - rect.x) / rect.w;
  const y = (cy - box.top - rect.y) / rect.h;
  if (x < 0 || x > 1 || y < 0 || y > 1) return null;
  return { x: Math.round(x * 10000) / 10000, y: Math.round(y * 10000) / 10000 };
}
