/** The 中山公园商圈 site plan (schematic SVG, no map tiles): areas tinted by density tier. */
import { useTranslation } from "react-i18next";
import type { FlowArea } from "./flowApi";
import { tierColor } from "./tiers";

interface Props {
  areas: FlowArea[];
  selected: string | null;
  onSelect: (id: string) => void;
}

function centre(points: [number, number][]): [number, number] {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

export function SitePlan({ areas, selected, onSelect }: Props) {
  const { t } = useTranslation();
  return (
    <svg viewBox="0 0 100 62" className="flow-plan" data-testid="flow-plan" role="img" aria-label={t("flowDash.plan")}>
      <rect x="0" y="0" width="100" height="62" fill="#0b1730" />
      <path d="M 0 31 L 100 31" stroke="#2b3f66" strokeWidth="4" />
      <path d="M 37 0 L 37 62" stroke="#2b3f66" strokeWidth="3" />
      <path d="M 76 0 L 82 62" stroke="#22324f" strokeWidth="2" />
      <text x="90" y="29.4" className="flow-plan-road">{t("flowDash.roads.changning")}</text>
      <text x="38.5" y="60" className="flow-plan-road">{t("flowDash.roads.kaixuan")}</text>
      <ellipse cx="16" cy="47" rx="13" ry="10" fill="#12351f" stroke="#1f5a33" strokeWidth="0.4" />
      <text x="16" y="48" className="flow-plan-park" textAnchor="middle">{t("flowDash.roads.park")}</text>
      {areas.map((a) => {
        const [cx, cy] = centre(a.plan);
        const fill = tierColor(a.level);
        const ratio = a.count === null ? 0 : a.count / a.capacity;
        return (
          <g
            key={a.id}
            className="flow-plan-area"
            data-testid={`flow-plan-${a.id}`}
            data-level={a.level}
            onClick={() => onSelect(a.id)}
          >
            <polygon
              points={a.plan.map((p) => p.join(",")).join(" ")}
              fill={fill}
              fillOpacity={0.25 + 0.5 * Math.min(1, ratio)}
              stroke={a.id === selected ? "#ffffff" : fill}
              strokeWidth={a.id === selected ? 0.8 : 0.4}
            />
            <text x={cx} y={cy - 0.6} textAnchor="middle" className="flow-plan-name">{a.name}</text>
            <text x={cx} y={cy + 3.2} textAnchor="middle" className="flow-plan-count">
              {a.count === null ? "—" : `${Math.round(a.count).toLocaleString()} · ${Math.round(ratio * 100)}%`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
