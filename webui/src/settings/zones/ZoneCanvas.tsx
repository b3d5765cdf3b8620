import { useRef, useState, type Dispatch, type PointerEvent, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import type { Point } from "../../types";
import type { Action, DragTarget, EditorState, LineDraft, Namer } from "./editorState";
import { along, centroid, hitPoint, inNormal, toNormalised } from "./geometry";

/** Width of the drawing's coordinate system; its height follows the frame's aspect. */
const VW = 1000;
/** How close (screen pixels) a click must be to the first point to close a zone. */
const CLOSE_PX = 14;

interface Props {
  state: EditorState;
  dispatch: Dispatch<Action>;
  imageUrl: string | null;
  cameraName: string;
  /** The frame's pixel size (for its aspect ratio). */
  frameWidth: number;
  frameHeight: number;
  onImageSize: (width: number, height: number) => void;
  /** Keys of zones and lines that cannot be saved as they are. */
  invalid: ReadonlySet<string>;
  readOnly: boolean;
  lineName: Namer;
  zoneName: Namer;
}

interface Label {
  key: string;
  x: number;
  y: number;
  text: string;
  className: string;
  testId?: string;
}

function pct(v: number, total: number): string {
  return `${((v / total) * 100).toFixed(3)}%`;
}

/** The two direction arrows of a line, in drawing coordinates. */
export function lineArrows(l: LineDraft, vh: number) {
  const [nx, ny] = inNormal(l.a, l.b, VW, vh);
  const A: Point = [l.a[0] * VW, l.a[1] * vh];
  const B: Point = [l.b[0] * VW, l.b[1] * vh];
  const len = Math.hypot(B[0] - A[0], B[1] - A[1]);
  const half = Math.max(12, Math.min(40, len * 0.2));
  const pin = along(A, B, 0.35);
  const pout = along(A, B, 0.65);
  const gap = half + 20;
  return {
    A,
    B,
    in: { from: [pin[0] - nx * half, pin[1] - ny * half], to: [pin[0] + nx * half, pin[1] + ny * half] },
    out: { from: [pout[0] + nx * half, pout[1] + ny * half], to: [pout[0] - nx * half, pout[1] - ny * half] },
    inLabel: [pin[0] + nx * gap, pin[1] + ny * gap] as Point,
    outLabel: [pout[0] - nx * gap, pout[1] - ny * gap] as Point,
  };
}

export function ZoneCanvas(props: Props) {
  const { state, dispatch, imageUrl, frameWidth, frameHeight, invalid, readOnly } = props;
  const { t } = useTranslation();
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<DragTarget | null>(null);
  const [hover, setHover] = useState<Point | null>(null);
  const vh = (VW * frameHeight) / frameWidth;
  const drawing = state.mode.kind !== "idle";

  const pointOf = (e: { clientX: number; clientY: number }): Point | null => {
    const svg = svgRef.current;
    return svg ? toNormalised(e.clientX, e.clientY, svg.getBoundingClientRect()) : null;
  };

  const onClick = (e: MouseEvent<SVGSVGElement>): void => {
    if (readOnly) return;
    const p = pointOf(e);
    if (!p) return;
    const mode = state.mode;
    if (mode.kind === "zone") {
      const rect = svgRef.current!.getBoundingClientRect();
      const closing = mode.points.length >= 3 && hitPoint([mode.points[0]], p, CLOSE_PX, rect.width, rect.height) === 0;
      dispatch(closing ? { type: "closeZone", zoneName: props.zoneName } : { type: "addPoint", point: p, lineName: props.lineName });
    } else if (mode.kind === "line") {
      dispatch({ type: "addPoint", point: p, lineName: props.lineName });
    } else if (e.target === e.currentTarget || (e.target as Element).classList.contains("zc-bg")) {
      dispatch({ type: "select", selection: null });
    }
  };

  const startDrag = (e: PointerEvent<SVGElement>, target: DragTarget): void => {
    if (readOnly || drawing) return;
    e.stopPropagation();
    e.preventDefault();
    svgRef.current?.setPointerCapture?.(e.pointerId);
    setDrag(target);
    dispatch({ type: "select", selection: { kind: target.kind, key: target.key } });
  };

  const onPointerMove = (e: PointerEvent<SVGSVGElement>): void => {
    const p = pointOf(e);
    if (drag && p) dispatch({ type: "movePoint", target: drag, point: p });
    else if (drawing) setHover(p);
  };

  const endDrag = (e: PointerEvent<SVGSVGElement>): void => {
    if (!drag) return;
    svgRef.current?.releasePointerCapture?.(e.pointerId);
    setDrag(null);
  };

  const X = (p: Point): number => p[0] * VW;
  const Y = (p: Point): number => p[1] * vh;
  const labels: Label[] = [];
  const selectedKey = state.selected?.key;

  const zones = state.zones.map((z) => {
    const selected = z.key === selectedKey;
    const c = centroid(z.polygon);
    labels.push({ key: `zl-${z.key}`, x: X(c), y: Y(c), text: z.name || z.id, className: z.restricted ? "zc-label zc-label-restricted" : "zc-label" });
    const cls = ["zc-zone", z.restricted ? "restricted" : "", selected ? "selected" : "", invalid.has(z.key) ? "invalid" : ""].join(" ");
    return (
      <g key={z.key} data-testid="zone-shape" data-zone-id={z.id}>
        <polygon
          className={cls}
          points={z.polygon.map((p) => `${X(p)},${Y(p)}`).join(" ")}
          onClick={(e) => {
            if (drawing || readOnly) return;
            e.stopPropagation();
            dispatch({ type: "select", selection: { kind: "zone", key: z.key } });
          }}
        />
        {!drawing &&
          z.polygon.map((p, i) => (
            <circle
              key={i}
              className={`zc-handle${selected ? " selected" : ""}`}
              cx={X(p)}
              cy={Y(p)}
              r={selected ? 9 : 7}
              data-testid="zone-handle"
              onPointerDown={(e) => startDrag(e, { kind: "zone", key: z.key, index: i })}
              onClick={(e) => e.stopPropagation()}
            />
          ))}
      </g>
    );
  });

  const lines = state.lines.map((l) => {
    const selected = l.key === selectedKey;
    const g = lineArrows(l, vh);
    labels.push(
      { key: `in-${l.key}`, x: g.inLabel[0], y: g.inLabel[1], text: l.in_name, className: "zc-dir zc-dir-in", testId: "line-in-label" },
      { key: `out-${l.key}`, x: g.outLabel[0], y: g.outLabel[1], text: l.out_name, className: "zc-dir zc-dir-out", testId: "line-out-label" },
      // the line's name sits by its start A (above it, or below near the top edge)
      { key: `ln-${l.key}`, x: g.A[0], y: g.A[1], text: l.name || l.id, className: `zc-label zc-label-line ${g.A[1] < 60 ? "below" : "above"}` },
    );
    return (
      <g key={l.key} data-testid="line-shape" data-line-id={l.id} className={`zc-linegroup${selected ? " selected" : ""}${invalid.has(l.key) ? " invalid" : ""}`}>
        <line
          className="zc-line-hit"
          x1={g.A[0]}
          y1={g.A[1]}
          x2={g.B[0]}
          y2={g.B[1]}
          onClick={(e) => {
            if (drawing || readOnly) return;
            e.stopPropagation();
            dispatch({ type: "select", selection: { kind: "line", key: l.key } });
          }}
        />
        <line className="zc-line" x1={g.A[0]} y1={g.A[1]} x2={g.B[0]} y2={g.B[1]} />
        <line className="zc-arrow zc-arrow-in" x1={g.in.from[0]} y1={g.in.from[1]} x2={g.in.to[0]} y2={g.in.to[1]} markerEnd="url(#zc-head-in)" />
        <line className="zc-arrow zc-arrow-out" x1={g.out.from[0]} y1={g.out.from[1]} x2={g.out.to[0]} y2={g.out.to[1]} markerEnd="url(#zc-head-out)" />
        {!drawing &&
          (["a", "b"] as const).map((end) => (
            <g key={end}>
              <circle
                className={`zc-handle zc-handle-line${selected ? " selected" : ""}`}
                cx={end === "a" ? g.A[0] : g.B[0]}
                cy={end === "a" ? g.A[1] : g.B[1]}
                r={selected ? 11 : 9}
                data-testid={`line-handle-${end}`}
                onPointerDown={(e) => startDrag(e, { kind: "line", key: l.key, end })}
                onClick={(e) => e.stopPropagation()}
              />
              <text className="zc-end" x={end === "a" ? g.A[0] : g.B[0]} y={(end === "a" ? g.A[1] : g.B[1]) + 4.5}>
                {end.toUpperCase()}
              </text>
            </g>
          ))}
      </g>
    );
  });

  const mode = state.mode;
  let preview = null;
  if (mode.kind === "zone" && mode.points.length > 0) {
    const pts = [...mode.points, ...(hover ? [hover] : [])];
    preview = (
      <g className="zc-preview" data-testid="zone-draft">
        <polyline points={pts.map((p) => `${X(p)},${Y(p)}`).join(" ")} />
        {mode.points.map((p, i) => (
          <circle key={i} cx={X(p)} cy={Y(p)} r={i === 0 && mode.points.length >= 3 ? 12 : 6} className={i === 0 ? "zc-first" : undefined} />
        ))}
      </g>
    );
  } else if (mode.kind === "line" && mode.a) {
    preview = (
      <g className="zc-preview">
        {hover && <line x1={X(mode.a)} y1={Y(mode.a)} x2={X(hover)} y2={Y(hover)} />}
        <circle cx={X(mode.a)} cy={Y(mode.a)} r={7} />
      </g>
    );
  }

  return (
    <div
      className={`zc-stage${drawing ? " drawing" : ""}`}
      style={{ aspectRatio: `${frameWidth} / ${frameHeight}` }}
      data-testid="zone-stage"
      data-mode={mode.kind}
    >
      {imageUrl ? (
        <img
          className="zc-frame"
          src={imageUrl}
          alt={t("zoneEditor.frame.alt", { name: props.cameraName })}
          data-testid="zone-frame"
          draggable={false}
          onLoad={(e) => props.onImageSize(e.currentTarget.naturalWidth, e.currentTarget.naturalHeight)}
        />
      ) : (
        <div className="zc-frame zc-blank" data-testid="zone-frame-none">
          <span>{t("zoneEditor.frame.none")}</span>
        </div>
      )}
      <svg
        ref={svgRef}
        className="zc-svg"
        viewBox={`0 0 ${VW} ${vh}`}
        preserveAspectRatio="none"
        data-testid="zone-svg"
        onClick={onClick}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onPointerLeave={() => setHover(null)}
      >
        <defs>
          <marker id="zc-head-in" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="zc-head-in" />
          </marker>
          <marker id="zc-head-out" viewBox="0 0 10 10" refX="6" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="zc-head-out" />
          </marker>
        </defs>
        <rect className="zc-bg" x={0} y={0} width={VW} height={vh} />
        {zones}
        {lines}
        {preview}
      </svg>
      {labels.map((l) => (
        <span key={l.key} className={l.className} style={{ left: pct(l.x, VW), top: pct(l.y, vh) }} data-testid={l.testId}>
          {l.text}
        </span>
      ))}
    </div>
  );
}
