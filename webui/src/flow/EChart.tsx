/** A React wrapper around one ECharts instance (canvas renderer, tree-shaken modules). */
import { BarChart, GaugeChart, LineChart, SankeyChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import { init, use, type ECharts, type EChartsCoreOption } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

use([BarChart, GaugeChart, LineChart, SankeyChart, GridComponent, LegendComponent,
  MarkLineComponent, TooltipComponent, CanvasRenderer]);

/** How many data items the option's series carry (links for a sankey): 0 means an empty chart. */
export function pointCount(option: EChartsCoreOption): number {
  const series = (option as { series?: { data?: unknown[]; links?: unknown[] }[] }).series ?? [];
  return series.reduce((n, s) => n + (s.links?.length ?? s.data?.length ?? 0), 0);
}

interface Props {
  option: EChartsCoreOption;
  className?: string;
  testId?: string;
  label: string;
}

export function EChart({ option, className, testId, label }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = init(el.current, undefined, { renderer: "canvas" });
    chart.current = c;
    const ro = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => c.resize());
    ro?.observe(el.current);
    return () => {
      ro?.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return (
    <div
      ref={el}
      className={className ?? "flow-chart"}
      data-testid={testId}
      data-points={pointCount(option)}
      role="img"
      aria-label={label}
    />
  );
}
