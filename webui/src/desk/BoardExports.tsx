import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { usePolling } from "../usePolling";
import type { BoardExport, DeskApi } from "./deskApi";
import { districtDateTime } from "../districtTime";

const REFRESH_MS = 15_000;

/** One export's PNG, fetched with the token (an <img src> cannot carry it). */
function useBlobUrl(desk: DeskApi, url: string): string | null {
  const [objectUrl, setObjectUrl] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    let current: string | null = null;
    desk.exportPng(url, controller.signal).then((blob) => {
      if (controller.signal.aborted) return;
      current = URL.createObjectURL(blob);
      setObjectUrl(current);
    }, () => undefined);  // a thumbnail that fails stays a placeholder
    return () => {
      controller.abort();
      if (current) URL.revokeObjectURL(current);
    };
  }, [desk, url]);
  return objectUrl;
}

function Thumb({ desk, item, locale, onOpen }: {
  desk: DeskApi; item: BoardExport; locale: string; onOpen: (src: string) => void;
}) {
  const { t } = useTranslation();
  const src = useBlobUrl(desk, item.url);
  const when = districtDateTime(item.created_at, locale);
  const caption = t("desk.evidence.boardCaption", { title: item.board_title, who: item.created_by,
    time: when });
  return (
    <li className="evidence-board">
      <button type="button" className="evidence-thumb" disabled={!src} title={caption}
        data-testid={`evidence-board-${item.id}`} onClick={() => src && onOpen(src)}>
        {src ? <img src={src} alt={caption} draggable={false} /> : t("app.loading")}
      </button>
      <span className="evidence-board-caption">{item.board_title}</span>
    </li>
  );
}

/** Drawing-board PNGs attached to the alert as evidence; a thumbnail opens the full size. */
export function BoardExports({ desk, alertId, locale }: {
  desk: DeskApi; alertId: string; locale: string;
}) {
  const { t } = useTranslation();
  const fetchExports = useCallback((signal: AbortSignal) => desk.exports(alertId, signal),
    [desk, alertId]);
  const { data } = usePolling(fetchExports, REFRESH_MS);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (ev: KeyboardEvent) => { if (ev.key === "Escape") setOpen(null); };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  if (!data || data.length === 0) return null;
  return (
    <div className="evidence-boards" data-testid="evidence-boards">
      <span className="field-label">{t("desk.evidence.boards", { count: data.length })}</span>
      <ul>
        {data.map((item) => (
          <Thumb key={item.id} desk={desk} item={item} locale={locale} onOpen={setOpen} />
        ))}
      </ul>
      {open && (
        <div className="evidence-lightbox" role="dialog" aria-modal="true"
          data-testid="evidence-lightbox" onClick={() => setOpen(null)}>
          <img src={open} alt={t("desk.evidence.boardFull")} data-testid="evidence-full" />
        </div>
      )}
    </div>
  );
}
