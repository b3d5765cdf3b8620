/** Recent markers of a camera: jump to one, edit or delete your own, hide (admins). */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAuth } from "../authContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import type { MarkersApi } from "./markersApi";
import { clockText } from "../districtTime";
import { type Marker, markerColor } from "./types";

interface Props {
  api: MarkersApi;
  markers: readonly Marker[];
  onChanged: (m: Marker) => void;
  onDeleted: (id: number) => void;
  onSelect?: (m: Marker) => void;
  limit?: number;
}

export function MarkerList({ api, markers, onChanged, onDeleted, onSelect, limit = 30 }: Props) {
  const { t } = useTranslation();
  const { user } = useAuth();
  const [editing, setEditing] = useState<{ id: number; text: string } | null>(null);
  const [error, setError] = useState<string[]>([]);
  const admin = user?.role === "admin";
  const run = async (work: () => Promise<void>) => {
    setError([]);
    try {
      await work();
    } catch (err) {
      setError(errorLines(err, t));
    }
  };
  const recent = markers.slice(-limit).reverse();
  return (
    <div className="danmaku-list" data-testid="danmaku-list">
      {recent.length === 0 && <p className="muted small">{t("danmaku.noMarkers")}</p>}
      <ul>
        {recent.map((m) => {
          const mine = m.author !== null && m.author.username === user?.username;
          return (
            <li key={m.id} data-testid="danmaku-list-item" data-marker-id={m.id}
              className={m.hidden ? "danmaku-hidden" : undefined}>
              <button type="button" className="danmaku-list-time" onClick={() => onSelect?.(m)}
                disabled={!onSelect} style={{ borderColor: markerColor(m) }}>
                {clockText(m.ts)}
              </button>
              <span className="danmaku-list-who">
                {m.author ? m.author.display_name || m.author.username : t("danmaku.ai")}
              </span>
              {editing?.id === m.id ? (
                <form className="danmaku-edit" onSubmit={(e) => {
                  e.preventDefault();
                  void run(async () => { onChanged(await api.update(m.id, { text: editing.text })); setEditing(null); });
                }}>
                  <input value={editing.text} maxLength={200} data-testid="danmaku-edit-input"
                    onChange={(e) => setEditing({ id: m.id, text: e.target.value })} />
                  <button type="submit" className="btn btn-sm">{t("danmaku.save")}</button>
                </form>
              ) : (
                <span className="danmaku-list-text">{m.text}</span>
              )}
              <span className="danmaku-list-actions">
                {mine && editing?.id !== m.id && (
                  <button type="button" className="btn btn-sm btn-ghost" data-testid="danmaku-edit"
                    onClick={() => setEditing({ id: m.id, text: m.text })}>{t("danmaku.edit")}</button>
                )}
                {(mine || admin) && (
                  <button type="button" className="btn btn-sm btn-ghost" data-testid="danmaku-delete"
                    onClick={() => void run(async () => { await api.remove(m.id); onDeleted(m.id); })}>
                    {t("danmaku.delete")}</button>
                )}
                {admin && (
                  <button type="button" className="btn btn-sm btn-ghost" data-testid="danmaku-hide"
                    onClick={() => void run(async () => onChanged(await api.update(m.id, { hidden: !m.hidden })))}>
                    {m.hidden ? t("danmaku.unhide") : t("danmaku.hide")}</button>
                )}
              </span>
            </li>
          );
        })}
      </ul>
      <ErrorText lines={error} testId="danmaku-list-error" />
    </div>
  );
}
