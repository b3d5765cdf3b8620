/**
 * The desk's alarm sound, made with the Web Audio API (no audio file): orange alerts beep
 * twice, red ones three times and higher. The mute choice is remembered in localStorage.
 */
import type { Tier } from "./types";

export const MUTE_KEY = "cityeye.desk.muted";

export interface Tone {
  /** Start, seconds after now. */
  at: number;
  duration: number;
  frequency: number;
}

/** The tones for a tier (none below orange). */
export function beepPattern(tier: Tier): Tone[] {
  if (tier < 3) return [];
  const red = tier === 4;
  const count = red ? 3 : 2;
  const frequency = red ? 988 : 740;
  return Array.from({ length: count }, (_, i) => ({ at: i * 0.22, duration: 0.14, frequency }));
}

type Storage = Pick<globalThis.Storage, "getItem" | "setItem">;
type AudioCtor = new () => AudioContext;

export class Beeper {
  private ctx: AudioContext | null = null;
  private muted: boolean;

  constructor(
    private readonly storage: Storage = window.localStorage,
    private readonly ctor: AudioCtor | undefined = (globalThis as { AudioContext?: AudioCtor })
      .AudioContext,
  ) {
    this.muted = storage.getItem(MUTE_KEY) === "1";
  }

  get isMuted(): boolean {
    return this.muted;
  }

  /** False when the browser has no Web Audio, or has not allowed sound yet (needs a click). */
  get canPlay(): boolean {
    return this.ctor !== undefined && (this.ctx === null || this.ctx.state !== "suspended");
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.storage.setItem(MUTE_KEY, muted ? "1" : "0");
    if (!muted) this.unlock();
  }

  /** Call from a click: browsers only start audio after a user gesture. */
  unlock(): void {
    const ctx = this.context();
    if (ctx && ctx.state === "suspended") void ctx.resume();
  }

  play(tier: Tier): void {
    if (this.muted) return;
    const ctx = this.context();
    if (!ctx) return;
    const t0 = ctx.currentTime + 0.01;
    for (const tone of beepPattern(tier)) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.value = tone.frequency;
      const start = t0 + tone.at;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.18, start + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + tone.duration);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + tone.duration + 0.02);
    }
  }

  close(): void {
    if (this.ctx) void this.ctx.close();
    this.ctx = null;
  }

  private context(): AudioContext | null {
    if (!this.ctor) return null;
    if (!this.ctx) this.ctx = new this.ctor();
    return this.ctx;
  }
}
