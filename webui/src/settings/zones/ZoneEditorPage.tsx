import { useCallback, useEffect, useMemo, useReducer, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";
import { ApiError } from "../../api";
import { useApi } from "../../apiContext";
import { useAuth } from "../../authContext";
import { ErrorText } from "../../components/ErrorText";
import { errorLines } from "../../errorMessage";
import type { Camera } from "../../types";
import {
  editorReducer,
  emptyState,
  problems as findProblems,
  toPatch,
  type GeometryPatch,
  type Problem,
} from "./editorState";
import { explainServerLine, splitServerLines, type ServerLine } from "./serverErrors";
import { useFrame } from "./useFrame";
import { ZoneCanvas } from "./ZoneCanvas";
import { LineCard, ZoneCard } from "./ZonePanel";
import "./zones.css";

function loadAction(camera: Camera) {
  return { type: "load" as const, zones: camera.zones, lines: camera.lines, rules: camera.rules ?? {} };
}

export function ZoneEditorPage() {
  const { id = "" } = useParams();
  const api = useApi();
  const { t } = useTranslation();
  const { user } = useAuth();
  const navigate = useNavigate();
  const readOnly = user?.role !== "admin";
  const [camera, setCamera] = useState<Camera | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [state, dispatch] = useReducer(editorReducer, emptyState);
  const frame = useFrame(api, id);
  const [size, setSize] = useState<[number, number] | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<{ zones: number; lines: number } | null>(null);
  const [refused, setRefused] = useState<ServerLine[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    api
      .camera(id, controller.signal)
      .then((cam) => {
        setCamera(cam);
        dispatch(loadAction(cam));
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setLoadError(err);
      });
    return () => controller.abort();
  }, [api, id]);

  const zoneName = useCallback((n: number) => t("zoneEditor.newZone", { n }), [t]);
  const lineName = useCallback((n: number) => t("zoneEditor.newLine", { n }), [t]);

  // Keys while drawing: Enter closes a zone, Backspace undoes a point, Escape cancels.
  useEffect(() => {
    if (state.mode.kind === "idle") return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      if (e.key === "Escape") dispatch({ type: "cancelDraw" });
      else if (e.key === "Enter") dispatch({ type: "closeZone", zoneName });
      else if (e.key === "Backspace") dispatch({ type: "undoPoint" });
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [state.mode.kind, zoneName]);

  useEffect(() => {
    if (!state.dirty) return;
    const onUnload = (e: BeforeUnloadEvent): void => e.preventDefault();
    window.addEventListener("beforeunload", onUnload);
    return () => window.removeEventListener("beforeunload", onUnload);
  }, [state.dirty]);

  const problems = useMemo(() => findProblems(state), [state]);
  const invalid = useMemo(() => new Set(problems.map((p) => p.target.key)), [problems]);

  const problemText = (p: Problem): string =>
    t(`zoneEditor.problem.${p.code}`, {
      ...p.params,
      ruleName: typeof p.params.rule === "string" ? t(`zoneEditor.rule.${p.params.rule}`) : "",
    });

  const refusedText = (l: ServerLine): string => {
    if (l.kind === null) return l.message;
    const what = t(l.kind === "zone" ? "zoneEditor.zoneRef" : "zoneEditor.lineRef", { name: l.name });
    return `${what}${l.field ? ` (${l.field})` : ""}：${l.message}`;
  };

  const save = async (): Promise<void> => {
    if (problems.length > 0 || !camera) return;
    let body: GeometryPatch | null = null;
    setSaving(true);
    setSaved(null);
    setRefused([]);
    try {
      body = toPatch(state);
      const updated = await api.updateCamera(camera.id, body);
      setCamera(updated);
      dispatch(loadAction(updated));
      setSaved({ zones: updated.zones.length, lines: updated.lines.length });
    } catch (err) {
      const lines = err instanceof ApiError ? splitServerLines(err.lines) : [];
      const sent = body;
      setRefused(
        lines.length > 0
          ? lines.map((l) => explainServerLine(l, sent))
          : errorLines(err, t).map((message) => ({ kind: null, name: null, field: null, message })),
      );
    } finally {
      setSaving(false);
    }
  };

  const leave = (): void => {
    if (state.dirty && !window.confirm(t("zoneEditor.confirmLeave"))) return;
    navigate("/settings");
  };

  const revert = (): void => {
    if (camera && window.confirm(t("zoneEditor.confirmRevert"))) {
      dispatch(loadAction(camera));
      setRefused([]);
    }
  };

  if (loadError !== null) {
    return (
      <div className="page page-zones">
        <ErrorText lines={[t("zoneEditor.loadFailed"), ...errorLines(loadError, t)]} testId="zone-load-error" />
        <button type="button" className="btn" onClick={() => navigate("/settings")}>
          {t("zoneEditor.back")}
        </button>
      </div>
    );
  }
  if (!camera) return <p className="muted">{t("app.loading")}</p>;

  const [fw, fh] = size ?? [camera.health?.width ?? 16, camera.health?.height ?? 9];
  const mode = state.mode;
  const hint =
    mode.kind === "zone"
      ? mode.points.length === 0
        ? t("zoneEditor.hint.zoneStart")
        : t("zoneEditor.hint.zoneMore", { count: mode.points.length })
      : mode.kind === "line"
        ? t(mode.a ? "zoneEditor.hint.lineEnd" : "zoneEditor.hint.lineStart")
        : t("zoneEditor.hint.idle");

  return (
    <div className="page page-zones" data-testid="zone-editor" data-camera-id={camera.id}>
      <div className="page-head ze-head">
        <h1 className="page-title" data-testid="page-title">
          {t("zoneEditor.title", { name: camera.name })}
        </h1>
        <button type="button" className="btn btn-ghost" data-testid="zone-back" onClick={leave}>
          ← {t("zoneEditor.back")}
        </button>
      </div>
      {readOnly && <p className="muted">{t("zoneEditor.readOnly")}</p>}
      <div className="ze-layout">
        <section className="panel ze-main">
          <div className="ze-toolbar" role="toolbar">
            {mode.kind === "idle" ? (
              <>
                <button type="button" className="btn btn-primary" data-testid="tool-zone" disabled={readOnly} onClick={() => dispatch({ type: "startZone" })}>
                  ⬠ {t("zoneEditor.tool.zone")}
                </button>
                <button type="button" className="btn btn-primary" data-testid="tool-line" disabled={readOnly} onClick={() => dispatch({ type: "startLine" })}>
                  ↗ {t("zoneEditor.tool.line")}
                </button>
              </>
            ) : (
              <>
                {mode.kind === "zone" && (
                  <button type="button" className="btn btn-primary" data-testid="tool-finish" disabled={mode.points.length < 3} onClick={() => dispatch({ type: "closeZone", zoneName })}>
                    ✓ {t("zoneEditor.tool.finish")}
                  </button>
                )}
                <button type="button" className="btn" data-testid="tool-undo" onClick={() => dispatch({ type: "undoPoint" })}>
                  ↶ {t("zoneEditor.tool.undo")}
                </button>
                <button type="button" className="btn btn-ghost" data-testid="tool-cancel" onClick={() => dispatch({ type: "cancelDraw" })}>
                  {t("zoneEditor.tool.cancel")}
                </button>
              </>
            )}
            <span className="ze-spacer" />
            <button type="button" className="btn btn-ghost" data-testid="frame-refresh" disabled={frame.loading} onClick={frame.refresh}>
              ⟳ {frame.loading ? t("zoneEditor.frame.refreshing") : t("zoneEditor.frame.refresh")}
            </button>
          </div>
          <p className={`ze-hint-bar${mode.kind !== "idle" ? " active" : ""}`} data-testid="zone-hint">
            {hint}
          </p>
          <ZoneCanvas
            state={state}
            dispatch={dispatch}
            imageUrl={frame.url}
            cameraName={camera.name}
            frameWidth={fw}
            frameHeight={fh}
            onImageSize={(w, h) => setSize([w, h])}
            invalid={invalid}
            readOnly={readOnly}
            zoneName={zoneName}
            lineName={lineName}
          />
          <div className="ze-savebar">
            {!readOnly && (
              <>
                <button type="button" className="btn btn-primary" data-testid="zones-save" disabled={saving || problems.length > 0} onClick={() => void save()}>
                  {saving ? t("zoneEditor.saving") : t("zoneEditor.save")}
                </button>
                <button type="button" className="btn btn-ghost" data-testid="zones-revert" disabled={saving || !state.dirty} onClick={revert}>
                  {t("zoneEditor.revert")}
                </button>
              </>
            )}
            {state.dirty && <span className="ze-unsaved">● {t("zoneEditor.unsaved")}</span>}
            {saved && !state.dirty && (
              <span className="notice" role="status" data-testid="zones-notice">
                {t("zoneEditor.saved", saved)}
              </span>
            )}
          </div>
          {problems.length > 0 && (
            <div className="error-text ze-problems" role="alert" data-testid="zone-problems">
              <div className="ze-problems-title">{t("zoneEditor.fixFirst")}</div>
              <ul>
                {problems.map((p, i) => (
                  <li key={i}>{problemText(p)}</li>
                ))}
              </ul>
            </div>
          )}
          {refused.length > 0 && (
            <div className="error-text ze-problems" role="alert" data-testid="zone-server-error">
              <div className="ze-problems-title">{t("zoneEditor.refused")}</div>
              <ul>
                {refused.map((l, i) => (
                  <li key={i}>{refusedText(l)}</li>
                ))}
              </ul>
            </div>
          )}
        </section>
        <aside className="ze-side">
          <section className="panel">
            <h2 className="panel-title">
              {t("zoneEditor.zones")} <span className="ze-count">{state.zones.length}</span>
            </h2>
            {state.zones.length === 0 && <p className="muted small">{t("zoneEditor.noZones")}</p>}
            {state.zones.map((z) => (
              <ZoneCard key={z.key} zone={z} rules={state.rules} selected={state.selected?.key === z.key} invalid={invalid.has(z.key)} readOnly={readOnly} dispatch={dispatch} />
            ))}
          </section>
          <section className="panel">
            <h2 className="panel-title">
              {t("zoneEditor.lines")} <span className="ze-count">{state.lines.length}</span>
            </h2>
            {state.lines.length === 0 && <p className="muted small">{t("zoneEditor.noLines")}</p>}
            {state.lines.map((l) => (
              <LineCard key={l.key} line={l} rules={state.rules} selected={state.selected?.key === l.key} invalid={invalid.has(l.key)} readOnly={readOnly} dispatch={dispatch} />
            ))}
          </section>
        </aside>
      </div>
    </div>
  );
}
