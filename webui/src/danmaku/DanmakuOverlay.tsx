/**
 * 视频弹幕: scrolling danmaku lanes and pinned points over a video (live or playback).
 * `DanmakuStage` wraps the player: a click on the picture (or the M key) opens the composer.
 * Marker text is always a React text node — never HTML.
 */
import { type ReactNode, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Composer, type Draft } from "./Composer";
import "./danmaku.css";
import { pictureRect, pointIn, type Rect } from "./geometry";
import { estimateTextWidth, layoutLanes, visibleAt } from "./lanes";
import { type Marker, markerColor, type MarkerFilter, matchesFilter } from "./types";

export const FONT_PX = 18;
export const LANE_PX = 30;
export const SPEED_PX_S = 120;
export const CAP = 24;
/** Seconds a marker's point stays pinned after its moment. */
export const PIN_S = 8;

/** Calls `clock` about 20 times a second while `running`; returns its latest value. */
function useClock(clock: () => number, running: boolean): number {
  const ref = useRef(clock);
  useLayoutEffect(() => {
    ref.current = clock;
  });
  const [now, setNow] = useState(() => clock());
  useEffect(() => {
    if (!running) return undefined;
    const id = setInterval(() => setNow(ref.current()), 50);
    return () => clearInterval(id);
  }, [running]);
  return now;
}

function useSize(ref: React.RefObject<HTMLElement | null>): { w: number; h: number; rect: Rect } {
  const [size, setSize] = useState({ w: 0, h: 0, rect: { x: 0, y: 0, w: 0, h: 0 } });
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => {
      const rect = pictureRect(el);
      setSize((s) => (s.w === el.clientWidth && s.h === el.clientHeight && s.rect.w === rect.w &&
        s.rect.h === rect.h ? s : { w: el.clientWidth, h: el.clientHeight, rect }));
    };
    measure();
    const id = setInterval(measure, 1000); // the video's size arrives later than the box's
    const ro = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(measure);
    ro?.observe(el);
    return () => { clearInterval(id); ro?.disconnect(); };
  }, [ref]);
  return size;
}

function label(m: Marker): string {
  const who = m.author ? m.author.display_name || m.author.username : "AI";
  return `${who}: ${m.text}`;
}

interface OverlayProps {
  markers: readonly Marker[];
  filter: MarkerFilter;
  /** Wall-clock epoch seconds of the picture on screen. */
  now: number;
  width: number;
  height: number;
  rect: Rect;
  highlight: Marker | null;
}

export function DanmakuOverlay({ markers, filter, now, width, height, rect, highlight }: OverlayProps) {
  const shown = useMemo(() => markers.filter((m) => matchesFilter(m, filter)), [markers, filter]);
  const lanes = Math.max(1, Math.floor((height * 0.6) / LANE_PX));
  const layout = useMemo(() => layoutLanes(
    shown.map((m) => ({ id: m.id, start: m.ts, width: estimateTextWidth(label(m), FONT_PX) })),
    { width, speed: SPEED_PX_S, lanes, cap: CAP }), [shown, width, lanes]);
  const byId = useMemo(() => new Map(shown.map((m) => [m.id, m])), [shown]);
  const { items, more } = visibleAt(layout, now, { width, speed: SPEED_PX_S });
  const pins = shown.filter((m) => m.x !== null && m.y !== null && now >= m.ts - 0.5 &&
    now <= m.ts + PIN_S);
  const at = (m: Marker) => ({ left: rect.x + (m.x ?? 0) * rect.w, top: rect.y + (m.y ?? 0) * rect.h });
  return (
    <div className="danmaku-overlay" data-testid="danmaku-overlay" data-now={now.toFixed(2)}>
      {items.map((p) => {
        const m = byId.get(p.id);
        if (!m) return null;
        return (
          <span key={m.id} className="danmaku-item" data-testid="danmaku-item"
            data-marker-id={m.id} data-kind={m.kind}
            style={{ transform: `translateX(${p.x.toFixed(1)}px)`, top: 6 + p.lane * LANE_PX,
              color: markerColor(m), fontSize: FONT_PX }}>
            <span className="danmaku-who">{m.author ? m.author.display_name || m.author.username : "AI"}</span>
            {m.text}
          </span>
        );
      })}
      {more > 0 && <span className="danmaku-more" data-testid="danmaku-more">+{more}</span>}
      {pins.map((m) => (
        <span key={m.id} className={m.kind === "ai" ? "danmaku-pin danmaku-pin-ai" : "danmaku-pin"}
          data-testid="danmaku-pin" data-marker-id={m.id} style={{ ...at(m), color: markerColor(m) }}>
          <span className="danmaku-dot" />
          <span className="danmaku-pin-label">{m.text}</span>
        </span>
      ))}
      {highlight && highlight.x !== null && highlight.y !== null && (
        <span className="danmaku-highlight" data-testid="danmaku-highlight"
          data-marker-id={highlight.id} style={at(highlight)} />
      )}
    </div>
  );
}

interface Composing {
  point: { x: number; y: number } | null;
  at: number;
}

interface StageProps {
  markers: readonly Marker[];
  filter: MarkerFilter;
  enabled: boolean;
  /** Wall-clock epoch seconds of the picture on screen. */
  clock: () => number;
  /** False while the clock stands still (paused playback). */
  running?: boolean;
  highlight?: Marker | null;
  /** Posts a marker for `at` (the moment on screen when the composer opened); throws the API
   * error to show. */
  onPost: (draft: Draft, at: number) => Promise<void>;
  children: ReactNode;
}

export function DanmakuStage({ markers, filter, enabled, clock, running = true, highlight = null,
  onPost, children }: StageProps) {
  const { t } = useTranslation();
  const hostRef = useRef<HTMLDivElement>(null);
  const size = useSize(hostRef);
  const now = useClock(clock, enabled && running);
  const shownNow = enabled && !running ? clock() : now;
  const [composing, setComposing] = useState<Composing | null>(null);
  const clockRef = useRef(clock);
  useLayoutEffect(() => {
    clockRef.current = clock;
  });

  useEffect(() => {
    if (!enabled) return undefined;
    const key = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement | null)?.tagName ?? "";
      if (e.key.toLowerCase() !== "m" || e.ctrlKey || e.metaKey || e.altKey ||
        ["INPUT", "TEXTAREA", "SELECT"].includes(tag)) return;
      e.preventDefault();
      setComposing((c) => c ?? { point: null, at: clockRef.current() });
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [enabled]);

  const click = (e: React.MouseEvent<HTMLDivElement>) => {
    const host = hostRef.current;
    if (!enabled || !host) return;
    const point = pointIn(pictureRect(host), host.getBoundingClientRect(), e.clientX, e.clientY);
    if (point) setComposing({ point, at: clock() });
  };

  const draftPoint = composing?.point ?? null;
  return (
    <div className="danmaku-stage" data-testid="danmaku-stage" data-enabled={enabled}>
      <div ref={hostRef} className="danmaku-host" data-testid="danmaku-host" onClick={click}
        title={enabled ? t("danmaku.clickHint") : undefined}>
        {children}
        {enabled && (
          <DanmakuOverlay markers={markers} filter={filter} now={shownNow} width={size.w}
            height={size.h} rect={size.rect} highlight={highlight} />
        )}
        {enabled && draftPoint && (
          <span className="danmaku-draft" data-testid="danmaku-draft" style={{
            left: size.rect.x + draftPoint.x * size.rect.w, top: size.rect.y + draftPoint.y * size.rect.h }} />
        )}
      </div>
      {enabled && composing && (
        <Composer point={composing.point} onSubmit={(d) => onPost(d, composing.at)}
          onClose={() => setComposing(null)} />
      )}
      {enabled && !composing && (
        <div className="danmaku-hint muted small">
          <button type="button" className="btn btn-sm btn-ghost" data-testid="danmaku-mark"
            onClick={() => setComposing({ point: null, at: clock() })}>{t("danmaku.mark")}</button>
          {t("danmaku.hint")}
        </div>
      )}
    </div>
  );
}
