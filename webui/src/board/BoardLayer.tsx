/**
 * 视频画板: boards of this camera drawn over its live video, co-edited live (Yjs).
 * Put it inside the container of the camera's `LivePlayer`, after the player.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router-dom";
import { useApi } from "../apiContext";
import { useAuth } from "../authContext";
import { BoardApi, type Board, type TimelinePoint } from "./boardApi";
import { BoardOverlay } from "./BoardOverlay";
import "./board.css";
import { addElement, type BoardElement, type ElementType, fromHistory, removeElement,
  type Style, type Tool, TOOLS } from "./model";
import { RangeBackdrop, RangeControls } from "./RangeVideo";
import { useBoard } from "./useBoard";
import { useRangePlayback } from "./useRangePlayback";
import { districtDateTime } from "../districtTime";

const COLORS = ["#ff3b30", "#ffcc00", "#34c759", "#0a84ff", "#ffffff"];

function Toolbar({ tool, setTool, style, setStyle, text, setText, editable }: {
  tool: Tool; setTool: (t: Tool) => void; style: Style; setStyle: (s: Style) => void;
  text: string; setText: (s: string) => void; editable: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="board-tools" role="toolbar">
      {TOOLS.map((k) => (
        <button key={k} type="button" data-testid={`board-tool-${k}`} disabled={!editable && k !== "none"}
          className={tool === k ? "btn btn-sm board-active" : "btn btn-sm btn-ghost"}
          onClick={() => setTool(k)}>{t(`board.tool.${k}`)}</button>
      ))}
      <input className="board-text" data-testid="board-text-input" value={text}
        placeholder={t("board.textPlaceholder")} onChange={(e) => setText(e.target.value)} />
      {COLORS.map((c) => (
        <button key={c} type="button" aria-label={c} className="board-swatch" style={{ background: c }}
          data-selected={style.color === c} onClick={() => setStyle({ ...style, color: c })} />
      ))}
      <label className="board-num">{t("board.width")}
        <input type="number" min={1} max={20} value={style.width}
          onChange={(e) => setStyle({ ...style, width: Number(e.target.value) || 1 })} /></label>
      <label className="board-num">{t("board.fontSize")}
        <input type="number" min={8} max={96} value={style.fontSize}
          onChange={(e) => setStyle({ ...style, fontSize: Number(e.target.value) || 18 })} /></label>
      <label className="field-check"><input type="checkbox" checked={style.curved}
        onChange={(e) => setStyle({ ...style, curved: e.target.checked })} />{t("board.curved")}</label>
    </div>
  );
}

function History({ api, board, onShow }: {
  api: BoardApi; board: Board; onShow: (els: BoardElement[] | null) => void;
}) {
  const { t, i18n } = useTranslation();
  const [points, setPoints] = useState<TimelinePoint[]>([]);
  const [index, setIndex] = useState<number | null>(null);
  const open = () => { void api.timeline(board.id).then((p) => { setPoints(p); setIndex(p.length - 1); }); };
  useEffect(() => {
    if (index === null || !points[index]) { onShow(null); return; }
    void api.history(board.id, points[index].at).then((h) => onShow(fromHistory(h.elements)));
  }, [api, board.id, index, points, onShow]);
  if (index === null) {
    return <button type="button" className="btn btn-sm btn-ghost" data-testid="board-history"
      onClick={open}>{t("board.history")}</button>;
  }
  const at = points[index];
  return (
    <span className="board-history">
      <input type="range" min={0} max={Math.max(0, points.length - 1)} value={index}
        data-testid="board-history-slider" onChange={(e) => setIndex(Number(e.target.value))} />
      <span className="muted">{at ? `${districtDateTime(at.at, i18n.language)} · ${at.username}` : ""}</span>
      <button type="button" className="btn btn-sm" onClick={() => setIndex(null)}>
        {t("board.backToLive")}</button>
    </span>
  );
}

export function BoardLayer({ cameraId }: { cameraId: string }) {
  const { t } = useTranslation();
  const client = useApi();
  const { user } = useAuth();
  const api = useMemo(() => new BoardApi(client), [client]);
  const [boards, setBoards] = useState<Board[]>([]);
  const [params] = useSearchParams();
  const [boardId, setBoardId] = useState<string | null>(params.get("board"));  // ?board=<id>
  const [tool, setTool] = useState<Tool>("none");
  const [style, setStyle] = useState<Style>({ color: COLORS[0], width: 3, fontSize: 18, curved: false });
  const [text, setText] = useState("");
  const [past, setPast] = useState<BoardElement[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [selected, setSelectedState] = useState<string | null>(null);
  const name = user?.display_name || user?.username || "?";
  const live = useBoard(api, boards.some((b) => b.id === boardId) ? boardId : null, name);
  const board = boards.find((b) => b.id === boardId) ?? null;
  const range = useRangePlayback(api, board);
  const editable = Boolean(board?.can_edit) && past === null;
  const [frameUrl, setFrameUrl] = useState<string | null>(null);
  const frameBoard = board?.has_frame ? board.id : null;
  useEffect(() => {
    if (!frameBoard) return undefined;
    let url: string | null = null;
    void api.frame(frameBoard).then((blob) => { url = URL.createObjectURL(blob); setFrameUrl(url); })
      .catch(() => setFrameUrl(null));
    return () => { if (url) URL.revokeObjectURL(url); setFrameUrl(null); };
  }, [api, frameBoard]);

  const reload = useCallback(async () => {
    const list = await api.list(cameraId);
    setBoards(list);
    return list;
  }, [api, cameraId]);
  useEffect(() => { void reload().catch(() => setBoards([])); }, [reload]);

  const create = async () => {
    try {
      const b = await api.create(cameraId, t("board.defaultTitle", { n: boards.length + 1 }),
        user?.role === "patroller" ? "patroller" : "duty_officer");
      await reload();
      setBoardId(b.id);
    } catch {
      setMessage(t("board.createFailed"));
    }
  };
  const onAdd = (type: ElementType, points: number[]) => {
    if (!live) return;
    const z = live.elements.reduce((m, e) => Math.max(m, e.z), 0) + 1;
    addElement(live.doc, live.map, { type, points, text: type === "text" || type === "pin" ? text : "",
      heads: "end", author: name, z, ...style });
  };
  const exportPng = async () => {
    if (!board) return;
    const blob = await api.exportPng(board.id);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `board-${board.id}.png`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const evidence = async () => {
    if (!board) return;
    const saved = await api.saveEvidence(board.id);
    setMessage(t("board.evidenceSaved", { url: saved.url }));
  };
  useEffect(() => {
    if (!live) return undefined;
    const key = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || (e.target as HTMLElement).tagName === "INPUT") return;
      if (e.key === "z") { e.preventDefault(); if (e.shiftKey) live.undo.redo(); else live.undo.undo(); }
      if (e.key === "y") { e.preventDefault(); live.undo.redo(); }
    };
    const del = (e: KeyboardEvent) => {
      if ((e.key === "Delete" || e.key === "Backspace") && selected && board?.can_edit &&
        (e.target as HTMLElement).tagName !== "INPUT") {
        removeElement(live.doc, live.map, selected);
        setSelectedState(null);
        live.setSelection(null);
      }
    };
    window.addEventListener("keydown", key);
    window.addEventListener("keydown", del);
    return () => { window.removeEventListener("keydown", key); window.removeEventListener("keydown", del); };
  }, [live, selected, board?.can_edit]);

  return (
    <>
      {live && (
        <BoardOverlay elements={past ?? live.elements} peers={past ? [] : live.peers}
          tool={editable ? tool : "none"} style={style} text={text} editable={editable}
          onAdd={onAdd} onErase={(id) => removeElement(live.doc, live.map, id)}
          onCursor={live.setCursor} background={frameUrl} selected={selected}
          backdrop={range ? <RangeBackdrop range={range} /> : undefined}
          onSelect={(id) => { setSelectedState(id); live.setSelection(id); }} />
      )}
      <div className="board-bar" data-testid="board-bar">
        <div className="board-row">
          <strong>{t("board.title")}</strong>
          <select data-testid="board-select" value={boardId ?? ""}
            onChange={(e) => { setBoardId(e.target.value || null); setPast(null); }}>
            <option value="">{t("board.none")}</option>
            {boards.map((b) => <option key={b.id} value={b.id}>{b.title}</option>)}
          </select>
          <button type="button" className="btn btn-sm" data-testid="board-new"
            onClick={() => void create()}>{t("board.new")}</button>
          {live && (
            <span className="board-peers" data-testid="board-peers"
              data-connected={live.connected}>
              {live.peers.map((p) => (
                <span key={p.clientId} className="board-peer" style={{ borderColor: p.color }}>{p.name}</span>
              ))}
            </span>
          )}
          {board && !board.can_edit && <span className="board-readonly" data-testid="board-readonly">
            {t("board.readOnly")}</span>}
        </div>
        {range && <RangeControls range={range} />}
        {board && live && (
          <div className="board-row">
            <Toolbar tool={tool} setTool={setTool} style={style} setStyle={setStyle}
              text={text} setText={setText} editable={editable} />
            <button type="button" className="btn btn-sm btn-ghost" data-testid="board-undo"
              disabled={!editable} onClick={() => live.undo.undo()}>{t("board.undo")}</button>
            <button type="button" className="btn btn-sm btn-ghost" data-testid="board-redo"
              disabled={!editable} onClick={() => live.undo.redo()}>{t("board.redo")}</button>
            <History api={api} board={board} onShow={setPast} />
            <button type="button" className="btn btn-sm btn-ghost" data-testid="board-export"
              onClick={() => void exportPng()}>{t("board.export")}</button>
            <button type="button" className="btn btn-sm btn-ghost" data-testid="board-evidence"
              onClick={() => void evidence()}>{t("board.evidence")}</button>
          </div>
        )}
        {message && <p className="muted" data-testid="board-message">{message}</p>}
      </div>
    </>
  );
}
