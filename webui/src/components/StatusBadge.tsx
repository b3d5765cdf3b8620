import type { CSSProperties } from "react";
import { useTranslation } from "react-i18next";
import { statusStyle } from "../status";

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const style = statusStyle(status);
  return (
    <span
      className="status-badge"
      data-testid="camera-status"
      data-status={status}
      style={{ "--status-color": style.color } as CSSProperties}
    >
      <span className="status-dot" aria-hidden="true" />
      {t(style.labelKey)}
    </span>
  );
}
