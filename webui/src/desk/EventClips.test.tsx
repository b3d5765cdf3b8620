import { cleanup, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { useApi } from "../apiContext";
import { ADMIN, jsonResponse, renderWith } from "../test/harness";
import { DeskApi } from "./deskApi";
import { EventClips } from "./EventClips";
import type { Alert } from "./types";

afterEach(cleanup);

const ALERT = { id: "a-1", camera_id: "cam", first_event_id: "e-1", last_event_id: "e-2" } as Alert;

function Clips() {
  return <EventClips desk={new DeskApi(useApi())} alert={ALERT} />;
}

describe("event clips in the evidence panel", () => {
  it("plays a cut clip with a download link, and says a pending one is being prepared", async () => {
    const asked: string[] = [];
    renderWith(<Clips />, (path) => {
      asked.push(path);
      if (path === "/api/auth/me") return jsonResponse(200, ADMIN);
      if (path === "/api/recordings/clips/e-1") return new Response("mp4", { status: 200 });
      return undefined; // e-2: 404, not cut yet
    }, { token: "tok" });
    const video = await screen.findByTestId("evidence-clip");
    expect(video.getAttribute("src")).toBe("/api/recordings/clips/e-1?token=tok");
    const link = screen.getByTestId("evidence-clip-download");
    expect(link.getAttribute("href")).toBe("/api/recordings/clips/e-1?token=tok");
    expect(link.getAttribute("download")).toBe("event-e-1.mp4");
    const wait = await screen.findByTestId("evidence-clip-wait");
    expect(wait.textContent).toContain("片段生成中");
    expect(asked).toContain("/api/recordings/clips/e-2");
  });

  it("says at once when recording is not running", async () => {
    renderWith(<Clips />, (path) => {
      if (path === "/api/auth/me") return jsonResponse(200, ADMIN);
      if (path.startsWith("/api/recordings/")) return jsonResponse(503, { detail: "recording is not running" });
      return undefined;
    }, { token: "tok" });
    await waitFor(() => expect(screen.getAllByTestId("evidence-clip-wait").map((e) => e.dataset.state))
      .toEqual(["missing", "missing"]));
    expect(screen.getAllByTestId("evidence-clip-wait")[0].textContent).toContain("没有事件录像片段");
  });
});
