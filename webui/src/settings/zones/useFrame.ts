import { useCallback, useEffect, useState } from "react";
import type { ApiClient } from "../../api";

export interface FrameState {
  /** Object URL of the newest JPEG, or null while there is none. */
  url: string | null;
  loading: boolean;
  refresh: () => void;
}

/** The camera's current frame, fetched once and again on `refresh()` (with the bearer token). */
export function useFrame(api: ApiClient, cameraId: string): FrameState {
  const [url, setUrl] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let made: string | null = null;
    setLoading(true);
    api
      .snapshot(cameraId, controller.signal)
      .then((blob) => {
        if (controller.signal.aborted) return;
        made = blob ? URL.createObjectURL(blob) : null;
        // Keep the last picture when the camera has none right now.
        if (made) setUrl(made);
      })
      .catch(() => undefined)
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [api, cameraId, generation]);

  // Revoke each picture once it is replaced or the editor closes.
  useEffect(() => {
    return () => {
      if (url) URL.revokeObjectURL(url);
    };
  }, [url]);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  return { url, loading, refresh };
}
