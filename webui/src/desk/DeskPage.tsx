import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api";
import { useApi } from "../apiContext";
import { useAuth } from "../authContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import { currentLang, HTML_LANG } from "../i18n";
import type { Unit } from "../types";
import { ActionDialog, type DialogAction } from "./ActionDialog";
import { AlertPanel } from "./AlertPanel";
import { AlertQueue } from "./AlertQueue";
import { Beeper } from "./beep";
import { DeskApi } from "./deskApi";
import { DeskToolbar } from "./DeskToolbar";
import { availableActions, NO_FILTERS, soundTier, viewCounts, visibleAlerts, type DeskView } from "./queue";
import { StatsBar } from "./StatsBar";
import type { ActionBody, Alert, AlertDetail, AlertStats, DeskAction, DeskMessage, DeskPolicy } from "./types";
import { useDesk, type SocketFactory } from "./useDesk";
import "./desk.css";

const FRESH_MS = 4000;
const STATS_DEBOUNCE_MS = 1500;
const STATS_POLL_MS = 30_000;

/** 值班台: the live alert queue, one alert's evidence, actions and timeline, today's figures. */
export function DeskPage({ socketFactory }: { socketFactory?: SocketFactory } = {}) {
  const api = useApi();
  const { user } = useAuth();
  const { t, i18n } = useTranslation();
  const locale = HTML_LANG[currentLang(i18n)];
  const desk = useMemo(() => new DeskApi(api), [api]);
  const beeper = useMemo(() => new Beeper(), []);
  const [muted, setMuted] = useState(beeper.isMuted);
  const [soundBlocked, setSoundBlocked] = useState(false);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [stats, setStats] = useState<AlertStats | null>(null);
  const [policy, setPolicy] = useState<DeskPolicy | null>(null);
  const [units, setUnits] = useState<Unit[]>([]);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const [view, setView] = useState<DeskView>("queue");
  const [filters, setFilters] = useState(NO_FILTERS);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [detail, setDetail] = useState<AlertDetail | null>(null);
  const [dialog, setDialog] = useState<DialogAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string[]>([]);
  const statsTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refreshStats = useCallback(() => {
    desk.stats().then(setStats, () => undefined);
  }, [desk]);

  const onMessage = useCallback(
    (msg: DeskMessage) => {
      const tier = soundTier(msg);
      if (tier !== null && !beeper.isMuted) {
        beeper.play(tier);
        setSoundBlocked(!beeper.canPlay);
      }
      if (msg.alert && msg.change === "created") {
        const id = msg.alert.id;
        setFresh((s) => new Set(s).add(id));
        setTimeout(() => setFresh((s) => new Set([...s].filter((x) => x !== id))), FRESH_MS);
      }
      clearTimeout(statsTimer.current);
      statsTimer.current = setTimeout(refreshStats, STATS_DEBOUNCE_MS);
    },
    [beeper, refreshStats],
  );
  const { alerts, status, loadError, apply } = useDesk(desk, onMessage, socketFactory);

  useEffect(() => {
    refreshStats();
    const poll = setInterval(refreshStats, STATS_POLL_MS);
    const tick = setInterval(() => setNowMs(Date.now()), 1000);
    desk.policy().then(setPolicy, () => undefined);
    api.units().then(setUnits, () => undefined);
    const unlock = () => {
      beeper.unlock();
      setSoundBlocked(false);
    };
    document.addEventListener("pointerdown", unlock);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
      clearTimeout(statsTimer.current);
      document.removeEventListener("pointerdown", unlock);
      beeper.close();
    };
  }, [api, desk, beeper, refreshStats]);

  const shown = useMemo(() => visibleAlerts(alerts.values(), view, filters), [alerts, view, filters]);
  const counts = useMemo(() => viewCounts(alerts.values()), [alerts]);
  const selected = selectedId ? (alerts.get(selectedId) ?? null) : null;
  const version = selected?.version;

  useEffect(() => {
    if (!selectedId) {
      setDetail(null);
      return;
    }
    const controller = new AbortController();
    desk.alert(selectedId, controller.signal).then(
      (d) => {
        setDetail(d);
        apply(d);
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [desk, selectedId, version, apply]);

  const run = useCallback(
    async (alert: Alert, body: ActionBody) => {
      setActionError([]);
      try {
        apply(await desk.act(alert.id, body));
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          setActionError([t("desk.error.conflict"), ...errorLines(err, t)]);
          desk.alert(alert.id).then(apply, () => undefined);
          return;
        }
        throw err;
      }
    },
    [apply, desk, t],
  );

  const ack = useCallback(
    (alert: Alert) => {
      setBusy(true);
      run(alert, { action: "ack", body: { note: "" } })
        .catch((err: unknown) => setActionError([t("desk.error.action"), ...errorLines(err, t)]))
        .finally(() => setBusy(false));
    },
    [run, t],
  );

  const onAction = (action: DeskAction) => {
    if (!selected) return;
    if (action === "ack") ack(selected);
    else setDialog(action);
  };

  const role = user?.role ?? "patroller";
  const canAck = (a: Alert) => availableActions(role, a.state).includes("ack");
  const onMute = (next: boolean) => {
    beeper.setMuted(next);
    setMuted(next);
    setSoundBlocked(!next && !beeper.canPlay);
  };

  return (
    <div className="page page-desk">
      <div className="page-head">
        <h1 className="page-title" data-testid="page-title">
          {t("desk.title")}
        </h1>
        <span className="desk-motto">{t("desk.subtitle")}</span>
      </div>
      <StatsBar stats={stats} />
      <DeskToolbar
        view={view}
        counts={counts}
        filters={filters}
        status={status}
        muted={muted}
        soundBlocked={soundBlocked}
        onView={setView}
        onFilters={setFilters}
        onMute={onMute}
      />
      {loadError !== null && <ErrorText lines={[t("desk.error.load"), ...errorLines(loadError, t)]} testId="desk-error" />}
      <div className="desk-body">
        <div className="desk-queue-col">
          <AlertQueue
            alerts={shown}
            nowMs={nowMs}
            selectedId={selectedId}
            freshIds={fresh}
            canAck={canAck}
            onSelect={(id) => {
              setSelectedId(id);
              setActionError([]);
            }}
            onAck={ack}
            emptyText={t(`desk.viewHint.${view}`)}
          />
        </div>
        <div className="desk-panel-col">
          <ErrorText lines={actionError} testId="action-error" />
          {selected ? (
            <AlertPanel
              desk={desk}
              alert={selected}
              steps={detail && detail.id === selected.id ? detail.steps : null}
              role={role}
              units={units}
              locale={locale}
              nowMs={nowMs}
              busy={busy}
              onAction={onAction}
            />
          ) : (
            <p className="desk-empty">{t("desk.panel.empty")}</p>
          )}
        </div>
      </div>
      {dialog && selected && (
        <ActionDialog
          action={dialog}
          units={units}
          defaultDeadline={Math.max(1, Math.round((policy?.overdue_after_s ?? 1800) / 60))}
          onCancel={() => setDialog(null)}
          onSubmit={async (body) => {
            await run(selected, body);
            setDialog(null);
          }}
        />
      )}
    </div>
  );
}
