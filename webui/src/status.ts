import type { CameraStatus } from "./types";

export interface StatusStyle {
  /** Badge colour (CSS colour). */
  color: string;
  /** i18n key of the translated label. */
  labelKey: `status.${CameraStatus | "unknown"}`;
  /** Whether the whole card is shown dimmed. */
  dim: boolean;
}

export const STATUS_STYLES: Record<CameraStatus, StatusStyle> = {
  online: { color: "#22c55e", labelKey: "status.online", dim: false },
  connecting: { color: "#3b82f6", labelKey: "status.connecting", dim: false },
  stalled: { color: "#f97316", labelKey: "status.stalled", dim: false },
  offline: { color: "#8b95a7", labelKey: "status.offline", dim: false },
  error: { color: "#ef4444", labelKey: "status.error", dim: false },
  disabled: { color: "#4b5568", labelKey: "status.disabled", dim: true },
};

const UNKNOWN_STYLE: StatusStyle = { color: "#8b95a7", labelKey: "status.unknown", dim: false };

/** Style for a status string from the server; unknown values get a neutral grey "unknown". */
export function statusStyle(status: string): StatusStyle {
  return Object.hasOwn(STATUS_STYLES, status)
    ? STATUS_STYLES[status as CameraStatus]
    : UNKNOWN_STYLE;
}

/** Statuses for which the card shows the camera's last error. */
export function showsLastError(status: string): boolean {
  return status === "error" || status === "offline" || status === "stalled";
}
