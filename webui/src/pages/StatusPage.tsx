import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import { HealthPanel } from "../components/HealthPanel";
import { usePolling } from "../usePolling";

export const HEALTH_POLL_MS = 5000;

interface Props {
  /** i18n section holding `title` and `description`, e.g. "desk". */
  section: "desk" | "flow";
}

/**
 * Honest placeholder for pages built later (duty desk, crowd flow):
 * title, what the page will hold, and the live numbers that exist today.
 */
export function StatusPage({ section }: Props) {
  const api = useApi();
  const { t } = useTranslation();
  const fetchHealth = useCallback((signal: AbortSignal) => api.health(signal), [api]);
  const { data, error } = usePolling(fetchHealth, HEALTH_POLL_MS);
  return (
    <div className={`page page-${section}`}>
      <div className="page-head">
        <h1 className="page-title" data-testid="page-title">
          {t(`${section}.title`)}
        </h1>
      </div>
      <p className="page-description" data-testid="page-description">
        {t(`${section}.description`)}
      </p>
      <HealthPanel health={data} failed={error !== null} />
    </div>
  );
}
