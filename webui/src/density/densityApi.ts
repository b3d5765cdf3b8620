/** Calls to `/api/cameras/{id}/density-calibration` through the shared ApiClient. */
import type { ApiClient } from "../api";
import type { CalibrationRequest, CalibrationState } from "./densityState";

const path = (id: string): string => `/api/cameras/${encodeURIComponent(id)}/density-calibration`;

export async function getCalibration(api: ApiClient, id: string, signal?: AbortSignal): Promise<CalibrationState> {
  const res = await api.request("GET", path(id), undefined, signal);
  return (await res.json()) as CalibrationState;
}

export async function postCalibration(api: ApiClient, id: string, body: CalibrationRequest): Promise<CalibrationState> {
  const res = await api.request("POST", path(id), body);
  return (await res.json()) as CalibrationState;
}

export async function deleteCalibration(api: ApiClient, id: string): Promise<void> {
  await api.request("DELETE", path(id));
}

/** A Blob as base64 (no data: prefix) and its pixel size. */
export async function blobToFrameData(blob: Blob): Promise<{ data: string; width: number; height: number }> {
  const buf = new Uint8Array(await blob.arrayBuffer());
  let bin = "";
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  const bitmap = await createImageBitmap(blob);
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return { data: btoa(bin), ...size };
}
