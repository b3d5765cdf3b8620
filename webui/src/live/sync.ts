/**
 * Matching overlays to the frame on screen, and measuring latency.
 *
 * Every video frame carries its pts as 90 kHz "ticks". Over WebRTC the browser reports the
 * frame's RTP timestamp (requestVideoFrameCallback metadata), which the server sends as
 * (origin + ticks) mod 2^32; the origin comes in "clock" messages. Overlays carry the ticks of
 * the frame they were computed on, so a frame and its overlay match exactly.
 */
import type { ClockMessage, Heatmap, OverlayMessage } from "./types";

export const RTP_MOD = 2 ** 32;
export const CLOCK_HZ = 90_000;

/** a mod 2^32 for any integer (also negative). */
export function wrap32(a: number): number {
  return ((a % RTP_MOD) + RTP_MOD) % RTP_MOD;
}

/** Signed distance a − b on the 32-bit RTP circle. */
export function rtpDiff(a: number, b: number): number {
  let d = wrap32(a - b);
  if (d >= RTP_MOD / 2) d -= RTP_MOD;
  return d;
}

/** The frame's ticks (mod 2^32) from its RTP timestamp and the stream's origin. */
export function ticksOfRtp(rtp: number, origin: number): number {
  return wrap32(rtp - origin);
}

export interface Match {
  overlay: OverlayMessage;
  /** The overlay was computed on exactly this frame. */
  exact: boolean;
}

/**
 * The last few seconds of overlays of one camera, ordered by ticks.
 * `match(ticks)` gives the overlay of that frame, or else the newest older one that is at most
 * `holdTicks` old (analysis runs at a few frames per second; boxes are held in between).
 */
export class OverlayStore {
  private items: OverlayMessage[] = [];
  private heat: Heatmap | null = null;

  constructor(
    private readonly capacity = 90,
    private readonly holdTicks = CLOCK_HZ,
  ) {}

  add(overlay: OverlayMessage): void {
    if (overlay.heatmap) this.heat = overlay.heatmap;
    const key = wrap32(overlay.ticks);
    let i = this.items.length;
    while (i > 0 && rtpDiff(wrap32(this.items[i - 1].ticks), key) > 0) i -= 1;
    if (i > 0 && wrap32(this.items[i - 1].ticks) === key) this.items[i - 1] = overlay;
    else this.items.splice(i, 0, overlay);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  match(ticks: number): Match | null {
    const key = wrap32(ticks);
    for (let i = this.items.length - 1; i >= 0; i -= 1) {
      const d = rtpDiff(key, wrap32(this.items[i].ticks));
      if (d === 0) return { overlay: this.items[i], exact: true };
      if (d > 0) return d <= this.holdTicks ? { overlay: this.items[i], exact: false } : null;
    }
    return null;
  }

  /** The newest heatmap (heat builds up over minutes: it need not match a frame). */
  heatmap(): Heatmap | null {
    return this.heat;
  }

  /** Newest overlay ticks minus `ticks`: how far analysis runs ahead (+) or behind (−). */
  lead(ticks: number): number | null {
    const last = this.items.at(-1);
    return last ? rtpDiff(wrap32(last.ticks), wrap32(ticks)) : null;
  }

  clear(): void {
    this.items = [];
  }

  get size(): number {
    return this.items.length;
  }
}

/**
 * Server clock offset (from ping/pong over the data channel) and the ticks→capture-time
 * reference (from "clock" messages): latency of a displayed frame = display time − the time
 * ingest received it, on the server's clock.
 */
export class LatencyMeter {
  private offsetMs: number | null = null;
  private bestRtt = Infinity;
  private clock: ClockMessage | null = null;
  private samples: number[] = [];

  /** A pong: the server's time when it answered a ping sent at local `sentMs`. */
  pong(sentMs: number, serverTime: number, nowMs: number): void {
    const rtt = nowMs - sentMs;
    if (rtt < 0 || rtt > this.bestRtt * 2 + 50) return;
    this.bestRtt = Math.min(this.bestRtt, rtt);
    this.offsetMs = serverTime * 1000 + rtt / 2 - nowMs;
  }

  setClock(clock: ClockMessage): void {
    this.clock = clock;
  }

  get origin(): number | null {
    return this.clock ? this.clock.origin : null;
  }

  /** Record the frame with `ticks` shown at local wall time `shownMs`; returns the latency. */
  frame(ticks: number, shownMs: number): number | null {
    if (!this.clock || this.offsetMs === null) return null;
    const dt = rtpDiff(wrap32(ticks), wrap32(this.clock.ticks)) / CLOCK_HZ;
    const captured = (this.clock.captured_at + dt) * 1000;
    const latency = shownMs + this.offsetMs - captured;
    this.samples.push(latency);
    if (this.samples.length > 60) this.samples.shift();
    return latency;
  }

  /** Median of recent frames, in ms. */
  median(): number | null {
    if (this.samples.length === 0) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}

/** Frames per second over a sliding window of display times (ms). */
export class FpsMeter {
  private times: number[] = [];

  tick(nowMs: number): void {
    this.times.push(nowMs);
    while (this.times.length > 0 && nowMs - this.times[0] > 2000) this.times.shift();
  }

  fps(nowMs: number): number {
    const recent = this.times.filter((t) => nowMs - t <= 2000);
    if (recent.length < 2) return 0;
    return ((recent.length - 1) * 1000) / (recent[recent.length - 1] - recent[0] || 1);
  }
}
