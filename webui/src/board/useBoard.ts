/** One live board: a Y.Doc synced over y-websocket, presence (awareness) and per-user undo. */
import { useEffect, useMemo, useState } from "react";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import type { BoardApi } from "./boardApi";
import { type BoardElement, colorFor, LOCAL_ORIGIN, type Pt, readElements } from "./model";

export interface Peer {
  clientId: number;
  name: string;
  color: string;
  cursor: Pt | null;
  selection: string | null;
}

export interface LiveBoard {
  doc: Y.Doc;
  map: Y.Map<unknown>;
  undo: Y.UndoManager;
  elements: BoardElement[];
  peers: Peer[];
  connected: boolean;
  setCursor: (p: Pt | null) => void;
  setSelection: (id: string | null) => void;
}

function readPeers(provider: WebsocketProvider): Peer[] {
  const out: Peer[] = [];
  provider.awareness.getStates().forEach((state, clientId) => {
    if (clientId === provider.awareness.clientID) return;
    const user = state.user as { name?: string; color?: string } | undefined;
    if (!user?.name) return;
    out.push({ clientId, name: user.name, color: user.color ?? colorFor(user.name),
      cursor: (state.cursor as Pt | null | undefined) ?? null,
      selection: (state.selection as string | null | undefined) ?? null });
  });
  return out;
}

export function useBoard(api: BoardApi, boardId: string | null, userName: string): LiveBoard | null {
  const [elements, setElements] = useState<BoardElement[]>([]);
  const [peers, setPeers] = useState<Peer[]>([]);
  const [connected, setConnected] = useState(false);
  const [provider, setProvider] = useState<WebsocketProvider | null>(null);
  const doc = useMemo(() => (boardId ? new Y.Doc() : null), [boardId]);
  const undo = useMemo(() => doc
    ? new Y.UndoManager(doc.getMap("elements"), { trackedOrigins: new Set([LOCAL_ORIGIN]) })
    : null, [doc]);

  useEffect(() => {
    if (!doc || !boardId) return undefined;
    const target = api.socket(boardId);
    if (!target) return undefined;
    const map = doc.getMap<unknown>("elements");
    const p = new WebsocketProvider(target.server, target.room, doc,
      { params: { token: target.token } });
    p.awareness.setLocalState({ user: { name: userName, color: colorFor(userName) },
      cursor: null, selection: null });
    const refresh = () => setElements(readElements(map));
    const refreshPeers = () => setPeers(readPeers(p));
    map.observeDeep(refresh);
    p.awareness.on("change", refreshPeers);
    p.on("status", (e: { status: string }) => setConnected(e.status === "connected"));
    refresh();
    setProvider(p);
    return () => {
      map.unobserveDeep(refresh);
      p.awareness.off("change", refreshPeers);
      p.destroy();
      setProvider(null);
      setConnected(false);
      setPeers([]);
    };
  }, [api, boardId, doc, userName]);

  useEffect(() => () => { undo?.destroy(); doc?.destroy(); }, [doc, undo]);

  if (!doc || !undo) return null;
  return {
    doc, map: doc.getMap<unknown>("elements"), undo, elements, peers, connected,
    setCursor: (cursor) => provider?.awareness.setLocalStateField("cursor", cursor),
    setSelection: (id) => provider?.awareness.setLocalStateField("selection", id),
  };
}
