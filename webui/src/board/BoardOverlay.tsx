/** The drawing surface over the video: an SVG sized to the picture (object-fit: contain). */
import { type ReactNode, useEffect, useRef, useState, type PointerEvent } from "react";
import { containRect } from "../live/draw";
import { arrowHead, arrowPath, type BoardElement, clamp01, type ElementType, pointsFor, type Pt,
  type Style, type Tool } from "./model";
import type { Peer } from "./useBoard";

interface Props {
  elements: BoardElement[];
  peers: Peer[];
  tool: Tool;
  style: Style;
  text: string;
  editable: boolean;
  onAdd: (type: ElementType, points: number[]) => void;
  onErase: (id: string) => void;
  onCursor: (p: Pt | null) => void;
  /** A frozen frame (alert boards) shown instead of the live video. */
  background?: string | null;
  /** Anything else behind the drawing instead of the live video (a range board's recording). */
  backdrop?: ReactNode;
  selected: string | null;
  onSelect: (id: string | null) => void;
}

interface Box { x: number; y: number; w: number; h: number }

function useContentBox(ref: React.RefObject<HTMLDivElement | null>): Box {
  const [box, setBox] = useState<Box>({ x: 0, y: 0, w: 1, h: 1 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => {
      // The picture behind the drawing: the board's own (recording, frozen frame), else live.
      const own = el.querySelector<HTMLVideoElement | HTMLImageElement>("video, img.board-frame");
      const video = el.parentElement?.querySelector("video");
      const vw = (own instanceof HTMLImageElement ? own.naturalWidth : own?.videoWidth)
        || video?.videoWidth || 16;
      const vh = (own instanceof HTMLImageElement ? own.naturalHeight : own?.videoHeight)
        || video?.videoHeight || 9;
      setBox(containRect(el.clientWidth, el.clientHeight, vw, vh));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    const timer = window.setInterval(measure, 1000); // the video's size arrives later
    el.addEventListener("loadedmetadata", measure, true);  // the board's own video / frame
    el.addEventListener("load", measure, true);
    return () => {
      ro.disconnect(); window.clearInterval(timer);
      el.removeEventListener("loadedmetadata", measure, true);
      el.removeEventListener("load", measure, true);
    };
  }, [ref]);
  return box;
}

function Shape({ e, box }: { e: BoardElement; box: Box }) {
  const pts: Pt[] = [];
  for (let i = 0; i + 1 < e.points.length; i += 2)
    pts.push({ x: e.points[i] * box.w, y: e.points[i + 1] * box.h });
  const [a, b] = pts;
  const common = { "data-testid": "board-element", "data-type": e.type, "data-id": e.id,
    "data-text": e.text, stroke: e.color, strokeWidth: e.width, fill: "none" };
  if (!a) return null;
  const font = (e.fontSize * box.h) / 540;
  switch (e.type) {
    case "arrow": {
      const end = pts[pts.length - 1];
      const before = pts[pts.length - 2] ?? a;
      const size = 3 * e.width + 6;
      return (
        <g {...common}>
          <path d={arrowPath(pts)} />
          {e.heads !== "none" && <polygon points={arrowHead(end, before, size)} fill={e.color} />}
          {e.heads === "both" && b && <polygon points={arrowHead(a, b, size)} fill={e.color} />}
        </g>
      );
    }
    case "rect":
      return b ? <rect {...common} x={Math.min(a.x, b.x)} y={Math.min(a.y, b.y)}
        width={Math.abs(b.x - a.x)} height={Math.abs(b.y - a.y)} /> : null;
    case "ellipse":
      return b ? <ellipse {...common} cx={(a.x + b.x) / 2} cy={(a.y + b.y) / 2}
        rx={Math.abs(b.x - a.x) / 2} ry={Math.abs(b.y - a.y) / 2} /> : null;
    case "polygon":
      return <polygon {...common} points={pts.map((p) => `${p.x},${p.y}`).join(" ")} />;
    case "freehand":
      return <polyline {...common} points={pts.map((p) => `${p.x},${p.y}`).join(" ")} />;
    case "pin":
      return (
        <g {...common} fill={e.color}>
          <circle cx={a.x} cy={a.y - 10} r={7} />
          <line x1={a.x} y1={a.y - 4} x2={a.x} y2={a.y} />
          {e.text && <text x={a.x + 10} y={a.y - 8} fontSize={font} stroke="none">{e.text}</text>}
        </g>
      );
    case "text":
      return <text {...common} x={a.x} y={a.y} fontSize={font} fill={e.color} stroke="none"
        dominantBaseline="hanging">{e.text}</text>;
  }
}

export function BoardOverlay(props: Props) {
  const { elements, peers, tool, style, text, editable, onAdd, onErase, onCursor, background,
    selected, onSelect, backdrop } = props;
  const marks = new Map<string, string>();  // element id -> colour of who selected it
  for (const p of peers) if (p.selection) marks.set(p.selection, p.color);
  if (selected) marks.set(selected, "#ffffff");
  const hostRef = useRef<HTMLDivElement>(null);
  const box = useContentBox(hostRef);
  const [draft, setDraft] = useState<Pt[] | null>(null);
  const drawing = editable;

  const at = (ev: PointerEvent): Pt => {
    const r = hostRef.current?.getBoundingClientRect();
    if (!r) return { x: 0, y: 0 };
    return { x: clamp01((ev.clientX - r.left - box.x) / box.w),
      y: clamp01((ev.clientY - r.top - box.y) / box.h) };
  };
  const down = (ev: PointerEvent) => {
    if (!drawing || tool === "erase" || tool === "none") return;
    const p = at(ev);
    if (tool === "text" || tool === "pin") {
      if (tool === "text" && !text.trim()) return;
      onAdd(tool, [p.x, p.y]);
      return;
    }
    if (tool === "polygon") {
      setDraft((d) => [...(d ?? []), p]);
      return;
    }
    (ev.target as Element).setPointerCapture?.(ev.pointerId);
    setDraft([p]);
  };
  const move = (ev: PointerEvent) => {
    const p = at(ev);
    onCursor(p);
    if (!draft || tool === "polygon") return;
    setDraft(tool === "freehand" ? [...draft, p] : [draft[0], p]);
  };
  const up = () => {
    if (!draft || tool === "polygon" || tool === "none" || tool === "erase") return;
    if (draft.length >= 2) onAdd(tool, pointsFor(tool, draft, style.curved));
    setDraft(null);
  };
  const finishPolygon = () => {
    if (tool === "polygon" && draft && draft.length >= 3)
      onAdd("polygon", pointsFor("polygon", draft, false));
    setDraft(null);
  };
  useEffect(() => setDraft(null), [tool]);

  const preview: BoardElement | null = draft && tool !== "none" && tool !== "erase" &&
    tool !== "text" && tool !== "pin"
    ? { id: "draft", type: tool, points: tool === "polygon" ? draft.flatMap((p) => [p.x, p.y])
      : pointsFor(tool, draft, style.curved), text: "", heads: "end", author: "", z: 0, ...style }
    : null;

  return (
    <div ref={hostRef} className={drawing ? "board-overlay board-drawing" : "board-overlay"}
      data-testid="board-overlay" data-tool={tool}>
      {backdrop}
      {!backdrop && background &&
        <img className="board-frame" src={background} alt="" data-testid="board-frame" />}
      <svg width={box.w} height={box.h} style={{ left: box.x, top: box.y }}
        onPointerDown={down} onPointerMove={move} onPointerUp={up}
        onPointerLeave={() => onCursor(null)} onDoubleClick={finishPolygon}>
        <rect width={box.w} height={box.h} fill="transparent" />
        {elements.map((e) => (
          <g key={e.id} className={tool === "erase" ? "board-erasable" : undefined}
            data-selected={marks.has(e.id) || undefined}
            onClick={() => {
              if (tool === "erase" && editable) onErase(e.id);
              else if (tool === "none") onSelect(selected === e.id ? null : e.id);
            }}>
            {marks.has(e.id) && (
              <g className="board-selection" opacity={0.7}>
                <Shape e={{ ...e, color: marks.get(e.id) ?? "#fff", width: e.width + 4 }} box={box} />
              </g>
            )}
            <Shape e={e} box={box} />
          </g>
        ))}
        {preview && <Shape e={preview} box={box} />}
        {peers.filter((p) => p.cursor).map((p) => (
          <g key={p.clientId} data-testid="board-cursor" data-name={p.name}
            transform={`translate(${(p.cursor?.x ?? 0) * box.w} ${(p.cursor?.y ?? 0) * box.h})`}>
            <path d="M0 0 L0 14 L4 10 L9 16 L11 15 L7 9 L12 9 Z" fill={p.color} stroke="#fff" />
            <text x={14} y={20} fontSize={12} fill={p.color}>{p.name}</text>
          </g>
        ))}
      </svg>
    </div>
  );
}
