/** The danmaku on/off toggle and its filters (kind / author / tier). */
import { useTranslation } from "react-i18next";
import { authorKey, type Marker, MARKER_KINDS, type MarkerFilter, TIER_COLORS, TIERS } from "./types";

interface Props {
  enabled: boolean;
  onEnabled: (on: boolean) => void;
  filter: MarkerFilter;
  onFilter: (f: MarkerFilter) => void;
  markers: readonly Marker[];
}

function toggled<T>(set: ReadonlySet<T>, value: T): Set<T> {
  const out = new Set(set);
  if (out.has(value)) out.delete(value);
  else out.add(value);
  return out;
}

export function DanmakuControls({ enabled, onEnabled, filter, onFilter, markers }: Props) {
  const { t } = useTranslation();
  const authors = new Map<string, string>();
  for (const m of markers) {
    authors.set(authorKey(m), m.author ? m.author.display_name || m.author.username : t("danmaku.ai"));
  }
  return (
    <div className="danmaku-controls" data-testid="danmaku-controls">
      <label className="field-check">
        <input type="checkbox" data-testid="danmaku-toggle" checked={enabled}
          onChange={(e) => onEnabled(e.target.checked)} />
        {t("danmaku.toggle")}
      </label>
      <div className="danmaku-filter-row" role="group" aria-label={t("danmaku.filterKind")}>
        {MARKER_KINDS.map((k) => (
          <button key={k} type="button" data-testid={`danmaku-filter-kind-${k}`}
            className={filter.kinds.has(k) ? "danmaku-chip danmaku-chip-on" : "danmaku-chip"} aria-pressed={filter.kinds.has(k)}
            onClick={() => onFilter({ ...filter, kinds: toggled(filter.kinds, k) })}>
            {t(`danmaku.kind.${k}`)}
          </button>
        ))}
      </div>
      <div className="danmaku-filter-row" role="group" aria-label={t("danmaku.filterTier")}>
        {TIERS.map((n) => (
          <button key={n} type="button" data-testid={`danmaku-filter-tier-${n}`}
            className={filter.tiers.has(n) ? "danmaku-chip danmaku-chip-on" : "danmaku-chip"} aria-pressed={filter.tiers.has(n)}
            style={{ borderColor: TIER_COLORS[n] }}
            onClick={() => onFilter({ ...filter, tiers: toggled(filter.tiers, n) })}>
            {t(`danmaku.tier.${n}`)}
          </button>
        ))}
      </div>
      <select data-testid="danmaku-filter-author" aria-label={t("danmaku.filterAuthor")}
        value={[...filter.authors][0] ?? ""}
        onChange={(e) => onFilter({ ...filter, authors: e.target.value ? new Set([e.target.value]) : new Set() })}>
        <option value="">{t("danmaku.allAuthors")}</option>
        {[...authors].map(([key, name]) => <option key={key} value={key}>{name}</option>)}
      </select>
    </div>
  );
}
