import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../../App";
import { ADMIN, jsonResponse, makeCamera, renderWith } from "../../test/harness";

beforeEach(() => localStorage.clear());
afterEach(cleanup);

interface Sent {
  method: string;
  body: unknown;
}

function serve(patchReplies: Response[], sent: Sent[]) {
  const camera = makeCamera({ id: "cam-1", zones: [], lines: [], rules: {} });
  return (path: string, init: RequestInit | undefined): Response | undefined => {
    if (path === "/api/auth/me") return jsonResponse(200, ADMIN);
    if (path.endsWith("/snapshot.jpg")) return jsonResponse(503, { detail: "no frame yet" });
    if (path === "/api/cameras/cam-1") {
      const method = init?.method ?? "GET";
      if (method === "GET") return jsonResponse(200, camera);
      sent.push({ method, body: JSON.parse(String(init?.body)) });
      return patchReplies.shift();
    }
    return undefined;
  };
}

/** Clicks on the drawing at a normalised point (the drawing is 1000×562 pixels here). */
function clickAt(x: number, y: number): void {
  const svg = screen.getByTestId("zone-svg");
  svg.getBoundingClientRect = () => ({ left: 0, top: 0, width: 1000, height: 562, right: 1000, bottom: 562, x: 0, y: 0, toJSON: () => ({}) });
  fireEvent.click(svg, { clientX: x * 1000, clientY: y * 562 });
}

async function openEditor(replies: Response[], sent: Sent[]): Promise<void> {
  renderWith(<App />, serve(replies, sent), { path: "/settings/cameras/cam-1/zones", token: "t" });
  await waitFor(() => expect((screen.getByTestId("tool-zone") as HTMLButtonElement).disabled).toBe(false));
}

describe("zone editor", () => {
  it("draws a zone and a line by clicks and saves them", async () => {
    const sent: Sent[] = [];
    const saved = makeCamera({
      id: "cam-1",
      zones: [{ id: "zone-1", name: "区域 1", polygon: [[0.1, 0.1], [0.5, 0.1], [0.3, 0.5]], restricted: true }],
      lines: [{ id: "line-1", name: "计数线 1", a: [0.1, 0.8], b: [0.9, 0.8], in_name: "进", out_name: "出" }],
      rules: {},
    });
    await openEditor([jsonResponse(200, saved)], sent);
    expect(screen.getByTestId("zone-frame-none")).toBeTruthy();

    fireEvent.click(screen.getByTestId("tool-zone"));
    clickAt(0.1, 0.1);
    clickAt(0.5, 0.1);
    clickAt(0.3, 0.5);
    expect(screen.getByTestId("zone-hint").textContent).toContain("已有 3 个点");
    clickAt(0.1005, 0.1); // on the first point: closes the zone
    expect(screen.getAllByTestId("zone-card")).toHaveLength(1);
    fireEvent.click(screen.getByTestId("zone-restricted"));

    fireEvent.click(screen.getByTestId("tool-line"));
    clickAt(0.1, 0.8);
    clickAt(0.9, 0.8);
    expect(screen.getByTestId("line-in-label").textContent).toBe("进");
    expect(screen.getByTestId("line-out-label").textContent).toBe("出");
    expect(screen.getByTestId("line-direction-help").textContent).toContain("绿色箭头");

    await act(async () => fireEvent.click(screen.getByTestId("zones-save")));
    expect(sent).toHaveLength(1);
    expect(sent[0].method).toBe("PATCH");
    expect(sent[0].body).toMatchObject({
      zones: [{ id: "zone-1", polygon: [[0.1, 0.1], [0.5, 0.1], [0.3, 0.5]], restricted: true }],
      lines: [{ id: "line-1", a: [0.1, 0.8], b: [0.9, 0.8], in_name: "进", out_name: "出" }],
    });
    expect((await screen.findByTestId("zones-notice")).textContent).toContain("1 个区域");
  });

  it("refuses a self-intersecting zone in the browser", async () => {
    await openEditor([], []);
    fireEvent.click(screen.getByTestId("tool-zone"));
    for (const [x, y] of [[0.2, 0.2], [0.8, 0.8], [0.8, 0.2], [0.2, 0.8]]) clickAt(x, y);
    fireEvent.click(screen.getByTestId("tool-finish"));
    expect(screen.getByTestId("zone-problems").textContent).toContain("边相互交叉");
    expect((screen.getByTestId("zones-save") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows the server's refusal, naming the zone", async () => {
    const sent: Sent[] = [];
    const refusal = jsonResponse(422, {
      detail: [
        {
          loc: ["body", "zones", 0, "polygon"],
          msg: "Value error, the polygon is self-intersecting: edge 1 crosses edge 3",
          type: "value_error",
        },
      ],
    });
    await openEditor([refusal], sent);
    fireEvent.click(screen.getByTestId("tool-zone"));
    for (const [x, y] of [[0.1, 0.1], [0.5, 0.1], [0.3, 0.5]]) clickAt(x, y);
    fireEvent.click(screen.getByTestId("tool-finish"));
    await act(async () => fireEvent.click(screen.getByTestId("zones-save")));
    const shown = await screen.findByTestId("zone-server-error");
    expect(shown.textContent).toContain("服务器拒绝保存");
    expect(shown.textContent).toContain("区域“区域 1”");
    expect(shown.textContent).toContain("the polygon is self-intersecting: edge 1 crosses edge 3");
    expect(screen.getAllByTestId("zone-card")).toHaveLength(1); // the drawing is kept
  });
});
