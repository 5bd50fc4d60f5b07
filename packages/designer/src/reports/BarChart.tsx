import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface Series {
  label: string;
  data: (number | null)[];
  color: string;
}

/** What the chart shows, in words: for screen readers, and what the browser tests read. */
export function chartSummary(labels: string[], series: Series[]): string {
  return labels.map((l, i) => `${l}: ${series.map((s) => `${s.label} ${s.data[i] ?? '–'}`).join(', ')}`).join('; ');
}

/**
 * A bar chart (Chart.js on a canvas), one group of bars per label, described in words for assistive tech.
 * `counts` keeps the axis to whole numbers.
 */
export function BarChart({
  title,
  labels,
  series,
  unit,
  counts = false,
}: {
  title: string;
  labels: string[];
  series: Series[];
  unit?: string;
  counts?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const key = JSON.stringify([labels, series, unit, counts]);
  useEffect(() => {
    const chart = new Chart(canvas.current!, {
      type: 'bar',
      data: {
        labels,
        datasets: series.map((s) => ({
          label: s.label,
          data: s.data,
          backgroundColor: s.color,
          borderRadius: 3,
          maxBarThickness: 28,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, font: { size: 11 } } } },
        scales: {
          y: {
            beginAtZero: true,
            ...(counts ? { ticks: { precision: 0 } } : {}),
            ...(unit ? { title: { display: true, text: unit } } : {}),
          },
          x: { grid: { display: false } },
        },
      },
    });
    return () => chart.destroy();
    // The chart is rebuilt only when what it shows changes.
  }, [key]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-box">
        <canvas
          ref={canvas}
          role="img"
          aria-label={`${title}. ${labels.length ? chartSummary(labels, series) : 'No data in this period.'}`}
        />
      </div>
    </figure>
  );
}
