/** A range board's recorded video (behind the drawing) and its controls (in the board bar). */
import { useTranslation } from "react-i18next";
import { clockText, dateClockText } from "../districtTime";
import { coverageBars } from "./rangeModel";
import type { RangePlayback } from "./useRangePlayback";

/** The recorded video, or a clear message (Chinese first, English second) when there is none. */
export function RangeBackdrop({ range }: { range: RangePlayback }) {
  const { i18n } = useTranslation();
  if (range.status === "ready" && range.src) {
    return (
      <video ref={range.videoRef} className="board-frame board-range-video" src={range.src}
        data-testid="board-range-video" muted playsInline preload="auto" {...range.handlers} />
    );
  }
  const key = range.status === "loading" ? "board.range.loading"
    : range.status === "unavailable" ? "board.range.unavailable" : "board.range.none";
  const span = { from: dateClockText(range.from), to: clockText(range.to) };
  return (
    <div className="board-frame board-range-empty" data-testid="board-range-empty"
      data-status={range.status}>
      <p lang="zh-CN">{i18n.getFixedT("zh")(key, span)}</p>
      <p lang="en">{i18n.getFixedT("en")(key, span)}</p>
    </div>
  );
}

export function RangeControls({ range }: { range: RangePlayback }) {
  const { t } = useTranslation();
  const ready = range.status === "ready";
  return (
    <div className="board-row board-range" data-testid="board-range">
      <button type="button" className="btn btn-sm" data-testid="board-range-play"
        disabled={!ready} onClick={range.toggle}>
        {range.playing ? t("board.range.pause") : t("board.range.play")}</button>
      <span className="board-range-scrub">
        <span className="board-range-coverage" aria-hidden="true">
          {coverageBars(range.pieces, range.from, range.to).map(([left, width]) => (
            <span key={left} style={{ left: `${left}%`, width: `${width}%` }} />
          ))}
        </span>
        <input type="range" min={range.from} max={range.to} step={0.1} value={range.now}
          disabled={!ready} aria-label={t("board.range.scrubber")}
          data-testid="board-range-scrubber" onChange={(e) => range.seek(Number(e.target.value))} />
      </span>
      <span className="board-range-time" data-testid="board-range-time" data-at={range.now}>
        {clockText(range.now)}</span>
      <span className="muted small">
        {t("board.range.span", { from: dateClockText(range.from), to: clockText(range.to) })}</span>
    </div>
  );
}
