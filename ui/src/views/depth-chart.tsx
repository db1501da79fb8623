import { useEffect, useRef } from 'preact/hooks';
import { fromUnits, group, market, onTopic, useTopics, type L2Book } from '../model';

const LEVELS = 60;
const BUY = '#1fb58a';
const SELL = '#f0506e';

interface Pt {
  x: number;
  y: number;
}

/** Cumulative depth: stepped areas of bid and ask size against price, drawn on a canvas. */
function draw(canvas: HTMLCanvasElement, book: L2Book | null): void {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (w === 0 || h === 0) return;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '10px ui-monospace, "DejaVu Sans Mono", monospace';
  if (book === null) return;
  const { bids, asks } = book.levels();
  const b = bids.slice(0, LEVELS);
  const a = asks.slice(0, LEVELS);
  if (b.length === 0 && a.length === 0) {
    g.fillStyle = '#56616e';
    g.textAlign = 'center';
    g.fillText('empty book', w / 2, h / 2);
    return;
  }
  const pad = { l: 6, r: 6, t: 8, b: 18 };
  const bestB = b[0]?.priceU;
  const bestA = a[0]?.priceU;
  const mid = bestB !== undefined && bestA !== undefined ? (bestB + bestA) / 2 : (bestB ?? bestA)!;
  const reach = Math.max(
    b.length > 0 ? mid - b[b.length - 1].priceU : 0,
    a.length > 0 ? a[a.length - 1].priceU - mid : 0,
    1,
  );
  const lo = mid - reach;
  const hi = mid + reach;
  let cb = 0;
  const cumB = b.map((l) => (cb += l.qtyU));
  let ca = 0;
  const cumA = a.map((l) => (ca += l.qtyU));
  const maxQ = Math.max(cb, ca, 1);
  const X = (p: number) => pad.l + ((p - lo) / (hi - lo)) * (w - pad.l - pad.r);
  const Y = (q: number) => h - pad.b - (q / maxQ) * (h - pad.t - pad.b);

  // Grid lines and size labels.
  g.strokeStyle = '#1c232b';
  g.fillStyle = '#56616e';
  g.lineWidth = 1;
  g.textAlign = 'left';
  for (let i = 1; i <= 3; i++) {
    const q = (maxQ * i) / 4;
    const y = Math.round(Y(q)) + 0.5;
    g.beginPath();
    g.moveTo(pad.l, y);
    g.lineTo(w - pad.r, y);
    g.stroke();
  }

  const area = (pts: Pt[], color: string) => {
    if (pts.length === 0) return;
    g.beginPath();
    g.moveTo(pts[0].x, Y(0));
    for (const p of pts) g.lineTo(p.x, p.y);
    g.lineTo(pts[pts.length - 1].x, Y(0));
    g.closePath();
    g.fillStyle = color + '33';
    g.fill();
    g.beginPath();
    g.moveTo(pts[0].x, Y(0));
    for (const p of pts) g.lineTo(p.x, p.y);
    g.strokeStyle = color;
    g.lineWidth = 1.5;
    g.stroke();
  };
  const steps = (levels: typeof b, cum: number[], edge: number): Pt[] => {
    const pts: Pt[] = [];
    let prev = 0;
    for (let i = 0; i < levels.length; i++) {
      const x = X(levels[i].priceU);
      pts.push({ x, y: Y(prev) }, { x, y: Y(cum[i]) });
      prev = cum[i];
    }
    if (levels.length > 0) pts.push({ x: X(edge), y: Y(prev) });
    return pts;
  };
  area(steps(b, cumB, lo), BUY);
  area(steps(a, cumA, hi), SELL);
  g.textAlign = 'left';
  g.fillStyle = '#aab4c0';
  for (let i = 1; i <= 3; i++) {
    const q = (maxQ * i) / 4;
    const text = group(fromUnits(Math.round(q), book.qtyScale));
    const y = Math.round(Y(q)) - 3;
    g.fillStyle = 'rgba(18,22,28,0.8)';
    g.fillRect(pad.l + 2, y - 9, g.measureText(text).width + 4, 12);
    g.fillStyle = '#aab4c0';
    g.fillText(text, pad.l + 4, y);
  }

  // Price axis: the edges and the mid.
  g.fillStyle = '#7d8a99';
  const label = (p: number, x: number, align: CanvasTextAlign) => {
    g.textAlign = align;
    g.fillText(fromUnits(Math.round(p), book.priceScale), x, h - 5);
  };
  label(lo, pad.l, 'left');
  label(mid, w / 2, 'center');
  label(hi, w - pad.r, 'right');
  g.strokeStyle = '#2c3540';
  g.setLineDash([3, 3]);
  g.beginPath();
  g.moveTo(Math.round(X(mid)) + 0.5, pad.t);
  g.lineTo(Math.round(X(mid)) + 0.5, h - pad.b);
  g.stroke();
  g.setLineDash([]);
}

export function DepthChart() {
  useTopics('instruments');
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current!;
    const redraw = () => draw(canvas, market.book);
    const ro = new ResizeObserver(redraw);
    ro.observe(canvas);
    const off = onTopic(['book'], redraw);
    redraw();
    return () => {
      ro.disconnect();
      off();
    };
  }, []);
  return (
    <section class="panel" style="grid-area:depth" data-testid="depth-chart">
      <header>
        <h2>Depth</h2>
        <span>{market.symbol}</span>
        <span class="right">
          <span class="buy">■ bids</span> <span class="sell">■ asks</span>
        </span>
      </header>
      <div class="depth-host">
        <canvas ref={ref} />
      </div>
    </section>
  );
}
