import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Health } from "../types";

interface Props {
  health: Health | null;
  failed: boolean;
}

/** A weights name with line-break opportunities after its underscores. */
function breakAtUnderscores(name: string): ReactNode[] {
  return name.split("_").flatMap((part, i, all) =>
    i < all.length - 1 ? [part + "_", <wbr key={i} />] : [part],
  );
}

/** Live numbers from GET /api/health, as they are; nothing invented. */
export function HealthPanel({ health, failed }: Props) {
  const { t } = useTranslation();
  if (!health) {
    return (
      <section className="panel" data-testid="health-panel">
        <h2 className="panel-title">{t("health.title")}</h2>
        <p className="muted">{failed ? t("health.unavailable") : t("app.loading")}</p>
      </section>
    );
  }
  // Weights names are long (yolo11n_int8_openvino_model): one per line, in a smaller type.
  const models: ReactNode =
    health.models_loaded.length > 0 ? (
      <ul className="stat-list">
        {health.models_loaded.map((m) => (
          <li key={m}>{breakAtUnderscores(m)}</li>
        ))}
      </ul>
    ) : (
      t("health.noModels")
    );
  const rows: [string, string, ReactNode][] = [
    ["status", t("health.status"), health.status],
    ["version", t("health.version"), health.version],
    [
      "cameras",
      t("health.camerasOnline"),
      t("health.camerasValue", { online: health.cameras_online, total: health.cameras_total }),
    ],
    ["models", t("health.models"), models],
    ["bus", t("health.bus"), String(health.bus)],
    ["database", t("health.database"), String(health.database)],
  ];
  return (
    <section className="panel" data-testid="health-panel">
      <h2 className="panel-title">{t("health.title")}</h2>
      {failed && <p className="warning">{t("health.unavailable")}</p>}
      <dl className="stat-grid">
        {rows.map(([key, label, value]) => (
          <div className="stat" key={key} data-testid={`health-${key}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
