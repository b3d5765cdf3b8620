import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

export interface PollState<T> {
  data: T | null;
  error: unknown;
  /** Wall-clock ms of the last successful fetch. */
  updatedAt: number | null;
  /** Fetch again now (e.g. after a change). */
  refresh: () => void;
}

/**
 * Calls `fetcher` now and then every `intervalMs` after each call finishes (never overlapping).
 * Keeps the last good data when a call fails. Stops and aborts on unmount.
 */
export function usePolling<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
): PollState<T> {
  const fetcherRef = useRef(fetcher);
  useLayoutEffect(() => {
    fetcherRef.current = fetcher;
  });
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      try {
        const value = await fetcherRef.current(controller.signal);
        if (controller.signal.aborted) return;
        setData(value);
        setError(null);
        setUpdatedAt(Date.now());
      } catch (err) {
        if (controller.signal.aborted) return;
        setError(err);
      }
      timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [intervalMs, generation]);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, updatedAt, refresh };
}
