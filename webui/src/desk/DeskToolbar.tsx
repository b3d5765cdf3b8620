import { useTranslation } from "react-i18next";
import type { DeskFilters, DeskView } from "./queue";
import { TIERS, type Tier } from "./types";
import type { FeedStatus } from "./useDesk";

const VIEWS: readonly DeskView[] = ["queue", "overdue", "handled"];
const KINDS = ["overcrowding", "intrusion", "line_crossing", "loitering", "gathering", "vehicle_flow", "flow_forecast"];

interface Props {
  view: DeskView;
  counts: Record<DeskView, number>;
  filters: DeskFilters;
  status: FeedStatus;
  muted: boolean;
  soundBlocked: boolean;
  onView: (view: DeskView) => void;
  onFilters: (filters: DeskFilters) => void;
  onMute: (muted: boolean) => void;
}

export function DeskToolbar({ view, counts, filters, status, muted, soundBlocked, ...on }: Props) {
  const { t } = useTranslation();
  const toggleTier = (tier: Tier) => {
    const tiers = new Set(filters.tiers);
    if (tiers.has(tier)) tiers.delete(tier);
    else tiers.add(tier);
    on.onFilters({ ...filters, tiers });
  };
  return (
    <div className="desk-toolbar">
      <div className="desk-tabs" role="tablist">
        {VIEWS.map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={view === v}
            className={`desk-tab ${view === v ? "active" : ""} ${v === "overdue" && counts.overdue > 0 ? "alarm" : ""}`}
            data-testid={`desk-view-${v}`}
            title={t(`desk.viewHint.${v}`)}
            onClick={() => on.onView(v)}
          >
            {t(`desk.views.${v}`)} <span className="desk-tab-count">{counts[v]}</span>
          </button>
        ))}
      </div>
      <div className="desk-filters">
        <span className="field-label">{t("desk.filters.tiers")}</span>
        {TIERS.map((tier) => (
          <button
            key={tier}
            type="button"
            className={`tier-toggle tier-${tier} ${filters.tiers.has(tier) ? "on" : ""}`}
            aria-pressed={filters.tiers.has(tier)}
            data-testid={`filter-tier-${tier}`}
            onClick={() => toggleTier(tier)}
          >
            {t(`desk.tier.${tier}`)}
          </button>
        ))}
        <select
          aria-label={t("desk.filters.kind")}
          value={filters.kind ?? ""}
          data-testid="filter-kind"
          onChange={(e) => on.onFilters({ ...filters, kind: e.target.value || null })}
        >
          <option value="">{t("desk.filters.allKinds")}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`desk.kind.${k}`)}
            </option>
          ))}
        </select>
        <input
          type="search"
          value={filters.text}
          placeholder={t("desk.filters.search")}
          data-testid="filter-text"
          onChange={(e) => on.onFilters({ ...filters, text: e.target.value })}
        />
      </div>
      <div className="desk-live">
        <span className={`feed-dot feed-${status}`} aria-hidden="true" />
        <span data-testid="desk-feed" data-status={status}>
          {t(`desk.feed.${status}`)}
        </span>
        <button
          type="button"
          className={`btn btn-sm ${muted ? "" : "sound-on"}`}
          aria-pressed={!muted}
          title={soundBlocked && !muted ? t("desk.sound.blocked") : t("desk.sound.title")}
          data-testid="desk-sound"
          onClick={() => on.onMute(!muted)}
        >
          {muted ? t("desk.sound.off") : t("desk.sound.on")}
        </button>
        {soundBlocked && !muted && (
          <span className="warning small" data-testid="desk-sound-blocked">
            {t("desk.sound.blocked")}
          </span>
        )}
      </div>
    </div>
  );
}
