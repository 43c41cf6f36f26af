import uPlot from 'uplot';
import type { ThroughputPoint } from './types.js';

const HEIGHT = 220;

const SERIES: { key: keyof Pick<ThroughputPoint, 'received' | 'applied' | 'failed' | 'deadLettered'>; label: string; stroke: string }[] = [
  { key: 'received', label: 'Received', stroke: '#2563eb' },
  { key: 'applied', label: 'Applied', stroke: '#16a34a' },
  { key: 'failed', label: 'Failed', stroke: '#dc2626' },
  { key: 'deadLettered', label: 'Dead-lettered', stroke: '#7c3aed' },
];

/** Items per minute over the last hour, redrawn in place on every poll and on resize. */
export class ThroughputChart {
  private plot: uPlot | undefined;

  constructor(private readonly container: HTMLElement) {
    // The container's width follows the viewport (down to 390 px phones); the canvas follows it.
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(container);
  }

  update(points: ThroughputPoint[]): void {
    const data: uPlot.AlignedData = [
      points.map((p) => Date.parse(p.at) / 1000),
      ...SERIES.map((s) => points.map((p) => p[s.key])),
    ];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    this.plot = new uPlot(
      {
        width: this.width(),
        height: HEIGHT,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [{}, ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
        axes: [{}, { size: 48 }],
      },
      data,
      this.container,
    );
  }

  private width(): number {
    return Math.max(200, this.container.clientWidth);
  }
}
