import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import type { Camera } from "../types";
import type { StatsMessage } from "./types";
import "./live.css";
import { LiveController, type FrameInfo, type PlayerState } from "./controller";
import { containRect, drawOverlay, type Layers } from "./draw";
import { FpsMeter, OverlayStore } from "./sync";

export interface PlayerStats {
  fps: number;
  latencyMs: number | null;
  transport: "webrtc" | "mjpeg";
  state: PlayerState["kind"];
  viewers: number | null;
  cameraStatus: string | null;
  mode: string | null;
  exactOverlays: number;
  reconnects: number;
}

interface Props {
  camera: Pick<Camera, "id" | "name" | "zones" | "lines">;
  layers: Layers;
  /** Delay playout so analysis results meet their frame (ms), or null for lowest latency. */
  syncDelayMs?: number | null;
  compact?: boolean;
  onStats?: (stats: PlayerStats) => void;
}

interface Counters {
  frames: number;
  exact: number;
}

/**
 * A camera's live video with its overlay canvas. Video arrives over WebRTC (WHEP) or, when
 * WebRTC cannot connect, as MJPEG pictures; overlays are drawn on the frame they belong to.
 * The container exposes data-* attributes (frames, ticks, overlay match) for tests.
 */
export function LivePlayer({ camera, layers, syncDelayMs = null, compact = false, onStats }: Props) {
  const api = useApi();
  const { t } = useTranslation();
  const boxRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const pictureRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const controllerRef = useRef<LiveController | null>(null);
  const layersRef = useRef(layers);
  const cameraRef = useRef(camera);
  const statsRef = useRef(onStats);
  const [state, setState] = useState<PlayerState>({ kind: "connecting", transport: "webrtc" });

  useEffect(() => {
    layersRef.current = layers;
    cameraRef.current = camera;
    statsRef.current = onStats;
  });

  useEffect(() => {
    const box = boxRef.current;
    const video = videoRef.current;
    const picture = pictureRef.current;
    const overlay = overlayRef.current;
    if (!box || !video || !picture || !overlay) return;
    const store = new OverlayStore();
    const fps = new FpsMeter();
    const counters: Counters = { frames: 0, exact: 0 };
    let lastStats: StatsMessage | null = null;
    let current: PlayerState = { kind: "connecting", transport: "webrtc" };

    const draw = (frame: FrameInfo): void => {
      counters.frames += 1;
      fps.tick(Date.now());
      const mjpeg = controller.currentTransport === "mjpeg";
      const srcW = mjpeg ? picture.width : video.videoWidth;
      const srcH = mjpeg ? picture.height : video.videoHeight;
      const dpr = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.round(box.clientWidth * dpr));
      const h = Math.max(1, Math.round(box.clientHeight * dpr));
      if (overlay.width !== w) overlay.width = w;
      if (overlay.height !== h) overlay.height = h;
      const match = frame.ticks !== null ? store.match(frame.ticks) : null;
      if (match?.exact) counters.exact += 1;
      const ctx = overlay.getContext("2d");
      let boxes = 0;
      if (ctx) {
        boxes = drawOverlay(ctx, w, h, {
          rect: containRect(w, h, srcW, srcH),
          overlay: match?.overlay ?? null,
          heatmap: store.heatmap(),
          geometry: { zones: cameraRef.current.zones, lines: cameraRef.current.lines },
          layers: layersRef.current,
          labels: { people: (count) => t("live.people", { count }) },
        });
      }
      const d = box.dataset;
      d.frames = String(counters.frames);
      d.ticks = frame.ticks === null ? "" : String(frame.ticks);
      d.rtp = frame.rtp === null ? "" : String(frame.rtp);
      d.overlayTicks = match ? String(match.overlay.ticks % 2 ** 32) : "";
      d.overlayExact = String(counters.exact);
      d.boxes = String(boxes);
    };

    const controller = new LiveController({
      api,
      cameraId: camera.id,
      video,
      picture,
      syncDelayMs,
      onState: (s) => {
        current = s;
        box.dataset.state = s.kind;
        if (s.kind !== "offline" && s.kind !== "error") box.dataset.transport = s.transport;
        setState(s);
      },
      onOverlay: (o) => store.add(o),
      onStats: (s) => {
        lastStats = s;
      },
      onFrame: draw,
    });
    controllerRef.current = controller;
    controller.start();
    const ticker = setInterval(() => {
      box.dataset.reconnects = String(controller.reconnects);
      statsRef.current?.({
        fps: fps.fps(Date.now()),
        latencyMs: controller.latency.median(),
        transport: controller.currentTransport,
        state: current.kind,
        viewers: lastStats?.live.viewers ?? null,
        cameraStatus: lastStats?.live.camera_status ?? null,
        mode: lastStats?.live.mode ?? null,
        exactOverlays: counters.exact,
        reconnects: controller.reconnects,
      });
    }, 1000);
    return () => {
      clearInterval(ticker);
      controller.stop();
      controllerRef.current = null;
    };
    // syncDelayMs is applied to the running controller below, not by reconnecting
  }, [api, camera.id, t]);

  useEffect(() => {
    controllerRef.current?.setSyncDelay(syncDelayMs);
  }, [syncDelayMs]);

  const transport = state.kind === "offline" || state.kind === "error" ? null : state.transport;
  return (
    <div
      ref={boxRef}
      className={compact ? "live-player live-player-compact" : "live-player"}
      data-testid="live-player"
      data-camera-id={camera.id}
      data-state={state.kind}
      data-frames="0"
    >
      <video
        ref={videoRef}
        className="live-video"
        data-testid="live-video"
        muted
        autoPlay
        playsInline
        hidden={transport === "mjpeg"}
      />
      <canvas
        ref={pictureRef}
        className="live-picture"
        data-testid="live-picture"
        hidden={transport !== "mjpeg"}
      />
      <canvas ref={overlayRef} className="live-overlay" data-testid="live-overlay" />
      {transport === "mjpeg" && (
        <span className="live-badge" data-testid="live-fallback" title={t("live.fallbackHint")}>
          {t("live.fallback")}
        </span>
      )}
      <PlayerMessage state={state} />
    </div>
  );
}

function PlayerMessage({ state }: { state: PlayerState }) {
  const { t } = useTranslation();
  if (state.kind === "playing") return null;
  if (state.kind === "offline" || state.kind === "error") {
    return (
      <div className="live-message live-message-bad" data-testid="live-message" role="status">
        <strong>{t(state.kind === "offline" ? "live.offline" : "live.unavailable")}</strong>
        <span className="small">{state.reason}</span>
      </div>
    );
  }
  return (
    <div className="live-message" data-testid="live-message" role="status">
      {state.kind === "reconnecting" ? t("live.reconnecting") : t("live.connecting")}
    </div>
  );
}
