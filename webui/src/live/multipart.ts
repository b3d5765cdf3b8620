/**
 * Reader for the server's MJPEG fallback: a multipart stream whose parts are JPEG pictures
 * (with X-Ticks, the pts on the 90 kHz clock) and overlay JSON. Each part has Content-Length.
 */

export interface Part {
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
}

const CRLFCRLF = [13, 10, 13, 10];
const MAX_HEADER = 8192;

function indexOf(buf: Uint8Array, pattern: number[], from = 0): number {
  outer: for (let i = from; i <= buf.length - pattern.length; i += 1) {
    for (let j = 0; j < pattern.length; j += 1) if (buf[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

function parseHead(text: string): Record<string, string> {
  const lines = text.split("\r\n").filter((l) => l.length > 0);
  if (!lines[0]?.startsWith("--")) throw new MultipartError(`bad part boundary: ${lines[0]}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Yields the stream's parts as they complete; ends when the stream ends. */
export async function* readParts(stream: ReadableStream<Uint8Array>): AsyncGenerator<Part> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  const more = async (): Promise<boolean> => {
    const { value, done } = await reader.read();
    if (done) return false;
    buf = concat(buf, value);
    return true;
  };
  try {
    for (;;) {
      let end = indexOf(buf, CRLFCRLF);
      while (end < 0) {
        if (buf.length > MAX_HEADER) throw new MultipartError("part header too long");
        if (!(await more())) return;
        end = indexOf(buf, CRLFCRLF);
      }
      const headers = parseHead(decoder.decode(buf.subarray(0, end)));
      const size = Number(headers["content-length"]);
      if (!Number.isFinite(size) || size < 0) throw new MultipartError("part without length");
      const start = end + 4;
      while (buf.length < start + size + 2) {
        if (!(await more())) return;
      }
      yield { headers, body: buf.slice(start, start + size) };
      buf = buf.slice(start + size + 2);
    }
  } finally {
    reader.releaseLock();
  }
}
