"""Chromium side of the latency benchmark: read the stamp of every displayed frame."""

from __future__ import annotations

# Installs window.__lat (glass-to-glass ms per displayed frame) on a <video>: on each
# requestVideoFrameCallback the top strip is copied to a canvas and the 56-block stamp read;
# "glass" is the compositor's expected display time.
MEASURE_JS = """
(selector) => {
  window.__lat = [];
  const bits = 56;
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const start = () => {
    const video = document.querySelector(selector);
    if (!video || !video.requestVideoFrameCallback) { setTimeout(start, 100); return; }
    const onFrame = (now, md) => {
      const b = Math.max(8, Math.floor(video.videoHeight / 36));
      if (b > 0 && video.videoWidth >= bits * b) {
        canvas.width = bits * b; canvas.height = b;
        ctx.drawImage(video, 0, 0, bits * b, b, 0, 0, bits * b, b);
        const px = ctx.getImageData(0, 0, bits * b, b).data;
        const v = [];
        for (let i = 0; i < bits; i++) {
          let sum = 0, n = 0;
          for (let y = Math.floor(b / 4); y < b - Math.floor(b / 4); y += 2)
            for (let x = i * b + Math.floor(b / 4); x < (i + 1) * b - Math.floor(b / 4); x += 2) {
              sum += px[(y * bits * b + x) * 4]; n++;
            }
          v.push(sum / n > 126 ? 1 : 0);
        }
        let ms = 0, check = 0;
        for (let i = 0; i < 48; i++) ms = ms * 2 + v[i];
        for (let i = 48; i < 56; i++) check = check * 2 + v[i];
        let bytes = 0, rest = ms;
        for (let k = 0; k < 6; k++) { bytes += rest % 256; rest = Math.floor(rest / 256); }
        if ((bytes & 255) === check && ms > 0)
          window.__lat.push(performance.timeOrigin + md.expectedDisplayTime - ms);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  start();
}
"""

# A bare WHEP viewer page for the relay-only server (bench/latency_relay.py).
PAGE = """<!doctype html><html><body style="margin:0;background:#000">
<video id="v" muted autoplay playsinline style="width:100vw"></video>
<script>
(async () => {
  const video = document.getElementById("v");
  const pc = new RTCPeerConnection({ iceServers: [] });
  const tr = pc.addTransceiver("video", { direction: "recvonly" });
  tr.setCodecPreferences(RTCRtpReceiver.getCapabilities("video").codecs.filter(
    (c) => c.mimeType === "video/H264" || c.mimeType === "video/rtx"));
  pc.ontrack = (e) => { video.srcObject = e.streams[0] || new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => {
    if (pc.iceGatheringState === "complete") r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r();
    setTimeout(r, 1500);
  });
  const res = await fetch("/whep", { method: "POST", body: pc.localDescription.sdp,
    headers: { "Content-Type": "application/sdp" } });
  await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
  tr.receiver.playoutDelayHint = 0;
  window.__pc = pc;
})();
</script></body></html>"""
