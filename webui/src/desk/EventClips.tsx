/** The recorded clips of an alert's events (cut by the recorder a little after each event),
 * playable in place and downloadable; "being prepared" while the recorder is still cutting. */
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import type { DeskApi } from "./deskApi";
import type { Alert } from "./types";

/** Tries while the recorder cuts the clip (it waits `clip_post_s` after the event first). */
export const CLIP_RETRIES = 12;
export const CLIP_RETRY_MS = 5000;

type ClipState = "checking" | "pending" | "ready" | "missing";

function useClip(desk: DeskApi, eventId: string): ClipState {
  const [state, setState] = useState<ClipState>("checking");
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState("checking");
    const attempt = async (left: number): Promise<void> => {
      try {
        const status = await desk.clipStatus(eventId, controller.signal);
        if (controller.signal.aborted) return;
        if (status === "ready") setState("ready");
        else if (status === "pending" && left > 0) {
          setState("pending");
          timer = setTimeout(() => void attempt(left - 1), CLIP_RETRY_MS);
        } else setState("missing");
      } catch {
        if (!controller.signal.aborted) setState("missing");
      }
    };
    void attempt(CLIP_RETRIES);
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [desk, eventId]);
  return state;
}

function Clip({ desk, eventId, n }: { desk: DeskApi; eventId: string; n: number }) {
  const { t } = useTranslation();
  const state = useClip(desk, eventId);
  if (state !== "ready") {
    return (
      <div className="evidence-clip-wait" data-testid="evidence-clip-wait" data-state={state}>
        {state === "missing" ? t("desk.evidence.clipMissing") : t("desk.evidence.clipPending")}
      </div>
    );
  }
  const url = desk.clipUrl(eventId);
  return (
    <figure className="evidence-clip">
      <video src={url} controls muted playsInline preload="metadata" data-testid="evidence-clip" />
      <a className="btn btn-sm" href={url} download={`event-${eventId}.mp4`}
        data-testid="evidence-clip-download">{t("desk.evidence.clipDownload", { n })}</a>
    </figure>
  );
}

export function EventClips({ desk, alert }: { desk: DeskApi; alert: Alert }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);
  const ids = [...new Set([alert.first_event_id, alert.last_event_id].filter(Boolean))];
  const drawOnRecording = async () => {
    try {
      const board = await desk.rangeBoard(alert.id, t("desk.evidence.rangeBoardTitle"));
      navigate(`/live/${encodeURIComponent(board.camera_id)}?board=${encodeURIComponent(board.id)}`);
    } catch {
      setFailed(true);
    }
  };
  return (
    <div className="evidence-recording" data-testid="evidence-recording">
      <span className="field-label">{t("desk.evidence.recording")}</span>
      {ids.map((id, i) => <Clip key={id} desk={desk} eventId={id} n={i + 1} />)}
      <button type="button" className="btn btn-sm" data-testid="evidence-range-board"
        onClick={() => void drawOnRecording()}>{t("desk.evidence.rangeBoard")}</button>
      {failed && <span className="muted">{t("desk.evidence.rangeBoardFailed")}</span>}
    </div>
  );
}
