/**
 * The 24-hour bar: recorded coverage, event/marker density, markers as ticks and the playhead.
 * A click on the bar seeks there; a click on a tick selects the marker (the page seeks 5 s
 * before it and highlights its point).
 */
import { useTranslation } from "react-i18next";
import { clockText } from "../districtTime";
import { type Bucket, densityLevels, fractionOf, timeAtFraction } from "./timeline";
import { type Marker, markerColor } from "./types";

interface Props {
  since: number;
  until: number;
  coverage: readonly [number, number][];
  buckets: readonly Bucket[];
  markers: readonly Marker[];
  playhead: number | null;
  selectedId?: number | null;
  onSeek: (t: number) => void;
  onTick: (m: Marker) => void;
  testId?: string;
}

const pct = (f: number) => `${(f * 100).toFixed(3)}%`;
const HOURS = [0, 3, 6, 9, 12, 15, 18, 21, 24];

export function Timeline({ since, until, coverage, buckets, markers, playhead, selectedId = null,
  onSeek, onTick, testId = "timeline" }: Props) {
  const { t } = useTranslation();
  const levels = densityLevels(buckets);
  const click = (e: React.MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    if (box.width <= 0) return;
    onSeek(timeAtFraction((e.clientX - box.left) / box.width, since, until));
  };
  return (
    <div className="dm-timeline" data-testid={testId} data-since={since} data-until={until}>
      <div className="dm-timeline-bar" data-testid="timeline-bar" onClick={click}
        title={t("danmaku.timelineHint")}>
        {buckets.map((b, i) => levels[i] > 0 && (
          <span key={b.start} className="dm-timeline-density" data-testid="timeline-density"
            style={{ left: pct(fractionOf(b.start, since, until)),
              width: pct(fractionOf(b.end, since, until) - fractionOf(b.start, since, until)),
              height: `${Math.round(20 + 80 * levels[i])}%` }}
            title={t("danmaku.density", { events: b.events, markers: b.markers })} />
        ))}
        {coverage.map(([s, e]) => (
          <span key={s} className="dm-timeline-coverage" data-testid="timeline-coverage"
            style={{ left: pct(fractionOf(s, since, until)),
              width: pct(Math.max(0.0005, fractionOf(e, since, until) - fractionOf(s, since, until))) }} />
        ))}
        {markers.map((m) => (
          <button key={m.id} type="button" className="dm-timeline-tick" data-testid="timeline-tick"
            data-marker-id={m.id} data-selected={selectedId === m.id || undefined}
            style={{ left: pct(fractionOf(m.ts, since, until)), background: markerColor(m) }}
            title={`${clockText(m.ts)} ${m.text}`} aria-label={`${clockText(m.ts)} ${m.text}`}
            onClick={(e) => { e.stopPropagation(); onTick(m); }} />
        ))}
        {playhead !== null && playhead >= since && playhead <= until && (
          <span className="dm-timeline-playhead" data-testid="timeline-playhead"
            style={{ left: pct(fractionOf(playhead, since, until)) }} />
        )}
      </div>
      <div className="dm-timeline-hours">
        {until - since > 7200
          ? HOURS.map((h) => <span key={h} style={{ left: pct(h / 24) }}>{String(h).padStart(2, "0")}</span>)
          : [0, 0.5, 1].map((f) => <span key={f} style={{ left: pct(f) }}>
            {clockText(timeAtFraction(f, since, until)).slice(0, 5)}</span>)}
      </div>
    </div>
  );
}
