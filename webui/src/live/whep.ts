/** Browser side of WHEP: offer H.264 receive-only video plus the overlay data channel. */
import type { ApiClient } from "../api";
import type { LiveMessage } from "./types";

export const CHANNEL_LABEL = "cityeye";
export const CHANNEL_ID = 0;
const GATHER_TIMEOUT_MS = 1500;

export interface WhepSession {
  pc: RTCPeerConnection;
  channel: RTCDataChannel;
  receiver: RTCRtpReceiver;
  location: string;
}

type TunableReceiver = RTCRtpReceiver & { playoutDelayHint?: number };

/** H.264 first (packetization-mode=1, constrained baseline first), then its RTX. */
export function h264Preferences(codecs: RTCRtpCodec[]): RTCRtpCodec[] {
  const rank = (c: RTCRtpCodec): number => {
    const fmtp = c.sdpFmtpLine ?? "";
    if (c.mimeType.toLowerCase() !== "video/h264") return c.mimeType === "video/rtx" ? 9 : 99;
    if (!fmtp.includes("packetization-mode=1")) return 5;
    if (fmtp.includes("profile-level-id=42e01f")) return 0;
    if (fmtp.includes("profile-level-id=42001f")) return 1;
    return 2;
  };
  return codecs.filter((c) => rank(c) < 99).sort((a, b) => rank(a) - rank(b));
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      pc.removeEventListener("icegatheringstatechange", check);
      clearTimeout(timer);
      resolve();
    };
    const check = (): void => {
      if (pc.iceGatheringState === "complete") done();
    };
    const timer = setTimeout(done, GATHER_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

/**
 * Low-latency playout (render frames as soon as they are decoded), or a fixed delay that lets
 * late analysis results arrive before their frame is shown (exact overlay sync).
 */
export function setPlayoutDelay(receiver: RTCRtpReceiver, delayMs: number | null): void {
  const tunable = receiver as TunableReceiver;
  if ("jitterBufferTarget" in tunable) tunable.jitterBufferTarget = delayMs ?? 0;
  if ("playoutDelayHint" in tunable) tunable.playoutDelayHint = (delayMs ?? 0) / 1000;
}

export async function startWhep(
  api: ApiClient,
  cameraId: string,
  signal: AbortSignal,
  handlers: { onTrack: (stream: MediaStream) => void; onMessage: (m: LiveMessage) => void },
): Promise<WhepSession> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  try {
    const transceiver = pc.addTransceiver("video", { direction: "recvonly" });
    const caps = RTCRtpReceiver.getCapabilities("video");
    if (caps) transceiver.setCodecPreferences(h264Preferences(caps.codecs));
    const channel = pc.createDataChannel(CHANNEL_LABEL, { negotiated: true, id: CHANNEL_ID });
    channel.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== "string") return;
      try {
        handlers.onMessage(JSON.parse(ev.data) as LiveMessage);
      } catch {
        // not JSON: ignore
      }
    };
    pc.ontrack = (ev: RTCTrackEvent) => handlers.onTrack(ev.streams[0] ?? new MediaStream([ev.track]));
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const offer = pc.localDescription?.sdp;
    if (!offer) throw new Error("no local SDP offer");
    const answer = await api.whepOffer(cameraId, offer, signal);
    try {
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch (err) {
      api.whepDelete(answer.location).catch(() => undefined);
      throw err;
    }
    return { pc, channel, receiver: transceiver.receiver, location: answer.location };
  } catch (err) {
    pc.close();
    throw err;
  }
}
