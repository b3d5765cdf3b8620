/**
 * One live player's connection logic: WebRTC via WHEP, automatic reconnect with backoff, the
 * MJPEG fallback after WebRTC fails, and a clear "offline" state while the camera is down.
 * Framework-free; LivePlayer renders what it reports.
 */
import { ApiError, type ApiClient } from "../api";
import type { LiveMessage, OverlayMessage, StatsMessage } from "./types";
import { readParts } from "./multipart";
import { LatencyMeter, ticksOfRtp } from "./sync";
import { setPlayoutDelay, startWhep, type WhepSession } from "./whep";

export type Transport = "webrtc" | "mjpeg";

export type PlayerState =
  | { kind: "connecting"; transport: Transport }
  | { kind: "playing"; transport: Transport }
  | { kind: "offline"; reason: string }
  | { kind: "error"; reason: string }
  | { kind: "reconnecting"; reason: string; transport: Transport };

export interface FrameInfo {
  /** 90 kHz ticks (mod 2^32) of the frame on screen, when known. */
  ticks: number | null;
  rtp: number | null;
  /** Wall-clock ms when it is shown. */
  shownMs: number;
  latencyMs: number | null;
}

export interface ControllerOptions {
  api: ApiClient;
  cameraId: string;
  video: HTMLVideoElement;
  /** MJPEG pictures are drawn here. */
  picture: HTMLCanvasElement;
  onState: (state: PlayerState) => void;
  onOverlay: (overlay: OverlayMessage) => void;
  onStats: (stats: StatsMessage) => void;
  onFrame: (frame: FrameInfo) => void;
  /** Delay playout by this many ms so late overlays meet their frame; null = lowest latency. */
  syncDelayMs: number | null;
}

export const WEBRTC_FAILURES_BEFORE_FALLBACK = 2;
export const FIRST_FRAME_TIMEOUT_MS = 8000;
export const STALL_MS = 4000;
export const OFFLINE_RETRY_MS = 5000;

/** 1 s, 2 s, 4 s … up to 10 s. */
export function backoffMs(attempt: number): number {
  return Math.min(10_000, 1000 * 2 ** Math.max(0, attempt));
}

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, md: VideoFrameCallbackMetadata) => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

export class LiveController {
  readonly latency = new LatencyMeter();
  reconnects = 0;
  private transport: Transport = "webrtc";
  private webrtcFailures = 0;
  private attempt = 0;
  private abort = new AbortController();
  private session: WhepSession | null = null;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private frameHandle: number | null = null;
  private lastFrameMs = 0;
  private connectedAt = 0;
  private playing = false;
  private stopped = false;
  private pingId = 0;
  private generation = 0;

  constructor(private readonly o: ControllerOptions) {
    if (typeof RTCPeerConnection === "undefined") this.transport = "mjpeg";
  }

  start(): void {
    this.watchdog = setInterval(() => this.check(), 1000);
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.teardown();
  }

  /** Change the playout delay of the running WebRTC stream. */
  setSyncDelay(delayMs: number | null): void {
    this.o.syncDelayMs = delayMs;
    if (this.session) setPlayoutDelay(this.session.receiver, delayMs);
  }

  get currentTransport(): Transport {
    return this.transport;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private teardown(): void {
    this.generation += 1;
    this.abort.abort();
    this.abort = new AbortController();
    const video = this.o.video as FrameCallbackVideo;
    if (this.frameHandle !== null) video.cancelVideoFrameCallback?.(this.frameHandle);
    this.frameHandle = null;
    const session = this.session;
    this.session = null;
    if (session) {
      session.pc.close();
      this.o.api.whepDelete(session.location).catch(() => undefined);
    }
    this.o.video.srcObject = null;
    this.playing = false;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.o.onState({ kind: "connecting", transport: this.transport });
    if (this.transport === "webrtc") await this.connectWebRtc();
    else await this.playMjpeg();
  }

  /** Close what runs now and connect again after a backoff. */
  private retry(reason: string, failedWebRtc: boolean): void {
    if (this.stopped) return;
    this.teardown();
    if (failedWebRtc) {
      this.webrtcFailures += 1;
      if (this.webrtcFailures >= WEBRTC_FAILURES_BEFORE_FALLBACK) this.transport = "mjpeg";
    }
    this.reconnects += 1;
    const wait = backoffMs(this.attempt);
    this.attempt += 1;
    this.o.onState({ kind: "reconnecting", reason, transport: this.transport });
    this.later(wait, () => void this.connect());
  }

  /** Refusals: offline (503) is retried, 403/404 are final. Returns true when handled. */
  private refused(err: unknown): boolean {
    if (!(err instanceof ApiError)) return false;
    const reason = err.lines.join("; ") || `HTTP ${err.status}`;
    if (err.status === 503) {
      this.teardown();
      this.o.onState({ kind: "offline", reason });
      this.later(OFFLINE_RETRY_MS, () => void this.connect());
      return true;
    }
    if (err.status === 401 || err.status === 403 || err.status === 404) {
      this.teardown();
      this.o.onState({ kind: "error", reason });
      return true;
    }
    return false;
  }

  private async connectWebRtc(): Promise<void> {
    const generation = this.generation;
    try {
      const session = await startWhep(this.o.api, this.o.cameraId, this.abort.signal, {
        onTrack: (stream) => {
          if (generation !== this.generation) return;
          this.o.video.srcObject = stream;
          void this.o.video.play().catch(() => undefined);
          this.watchFrames(generation);
        },
        onMessage: (m) => this.message(m),
      });
      if (generation !== this.generation || this.stopped) {
        session.pc.close();
        this.o.api.whepDelete(session.location).catch(() => undefined);
        return;
      }
      this.session = session;
      this.connectedAt = Date.now();
      setPlayoutDelay(session.receiver, this.o.syncDelayMs);
    } catch (err) {
      if (generation !== this.generation || this.stopped) return;
      if (!this.refused(err)) this.retry(err instanceof Error ? err.message : String(err), true);
    }
  }

  private message(m: LiveMessage): void {
    if (m.type === "overlay") this.o.onOverlay(m);
    else if (m.type === "clock") this.latency.setClock(m);
    else if (m.type === "stats") this.o.onStats(m);
    else if (m.type === "pong") this.latency.pong(m.t, m.server_time, Date.now());
  }

  private frameShown(info: FrameInfo): void {
    this.lastFrameMs = Date.now();
    if (!this.playing) {
      this.playing = true;
      this.attempt = 0;
      this.webrtcFailures = 0;
      this.o.onState({ kind: "playing", transport: this.transport });
    }
    this.o.onFrame(info);
  }

  private watchFrames(generation: number): void {
    const video = this.o.video as FrameCallbackVideo;
    if (!video.requestVideoFrameCallback) return;
    const onFrame = (_now: number, md: VideoFrameCallbackMetadata): void => {
      if (generation !== this.generation) return;
      const rtp = (md as VideoFrameCallbackMetadata & { rtpTimestamp?: number }).rtpTimestamp;
      const origin = this.latency.origin;
      const ticks = rtp !== undefined && origin !== null ? ticksOfRtp(rtp, origin) : null;
      const shownMs = performance.timeOrigin + md.expectedDisplayTime;
      const latencyMs = ticks !== null ? this.latency.frame(ticks, shownMs) : null;
      this.frameShown({ ticks, rtp: rtp ?? null, shownMs, latencyMs });
      this.frameHandle = video.requestVideoFrameCallback?.(onFrame) ?? null;
    };
    this.frameHandle = video.requestVideoFrameCallback(onFrame);
  }

  /** Once a second: reconnect a dead or silent connection; keep the clock in sync. */
  private check(): void {
    if (this.stopped) return;
    const session = this.session;
    const now = Date.now();
    if (session) {
      const state = session.pc.connectionState;
      if (state === "failed" || state === "closed") {
        this.retry(`connection ${state}`, !this.playing);
        return;
      }
      if (!this.playing && now - this.connectedAt > FIRST_FRAME_TIMEOUT_MS) {
        this.retry("no video", true);
        return;
      }
      if (this.playing && now - this.lastFrameMs > STALL_MS) {
        this.retry("video stalled", false);
        return;
      }
      if (session.channel.readyState === "open") {
        this.pingId += 1;
        session.channel.send(JSON.stringify({ type: "ping", id: this.pingId, t: now }));
      }
    }
  }

  private async playMjpeg(): Promise<void> {
    const generation = this.generation;
    const ctx = this.o.picture.getContext("2d");
    try {
      const stream = await this.o.api.liveMjpeg(this.o.cameraId, this.abort.signal);
      for await (const part of readParts(stream)) {
        if (generation !== this.generation) return;
        const type = part.headers["content-type"] ?? "";
        if (type.startsWith("application/json")) {
          this.message(JSON.parse(new TextDecoder().decode(part.body)) as LiveMessage);
          continue;
        }
        const bitmap = await createImageBitmap(new Blob([part.body], { type: "image/jpeg" }));
        if (this.o.picture.width !== bitmap.width) this.o.picture.width = bitmap.width;
        if (this.o.picture.height !== bitmap.height) this.o.picture.height = bitmap.height;
        ctx?.drawImage(bitmap, 0, 0);
        bitmap.close();
        const ticks = Number(part.headers["x-ticks"]);
        this.frameShown({
          ticks: Number.isFinite(ticks) ? ticks % 2 ** 32 : null,
          rtp: null,
          shownMs: Date.now(),
          latencyMs: null,
        });
      }
      if (generation === this.generation) this.retry("stream ended", false);
    } catch (err) {
      if (generation !== this.generation || this.stopped) return;
      if (!this.refused(err)) this.retry(err instanceof Error ? err.message : String(err), false);
    }
  }
}
