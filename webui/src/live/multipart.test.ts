import { describe, expect, it } from "vitest";
import { readParts } from "./multipart";

function part(headers: Record<string, string>, body: Uint8Array): Uint8Array {
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const text = new TextEncoder().encode(
    `--cityeye-frame\r\n${head}Content-Length: ${body.length}\r\n\r\n`,
  );
  const out = new Uint8Array(text.length + body.length + 2);
  out.set(text);
  out.set(body, text.length);
  out.set([13, 10], text.length + body.length);
  return out;
}

/** A stream that delivers `data` in chunks of `size` bytes (parts split anywhere). */
function chunked(data: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(offset, offset + size));
      offset += size;
    },
  });
}

describe("readParts", () => {
  it("yields pictures and overlay parts however the bytes are split", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 13, 10, 13, 10, 0xff, 0xd9]); // CRLFCRLF inside
    const json = new TextEncoder().encode('{"type":"overlay","ticks":9000}');
    const a = part({ "Content-Type": "image/jpeg", "X-Ticks": "9000" }, jpeg);
    const b = part({ "Content-Type": "application/json" }, json);
    const all = new Uint8Array(a.length + b.length);
    all.set(a);
    all.set(b, a.length);
    for (const size of [1, 3, 7, 1000]) {
      const got = [];
      for await (const p of readParts(chunked(all, size))) got.push(p);
      expect(got.map((p) => p.headers["content-type"])).toEqual(["image/jpeg", "application/json"]);
      expect(got[0].headers["x-ticks"]).toBe("9000");
      expect([...got[0].body]).toEqual([...jpeg]);
      expect(new TextDecoder().decode(got[1].body)).toContain('"ticks":9000');
    }
  });
});
