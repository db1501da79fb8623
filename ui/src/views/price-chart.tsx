import {
  CandlestickSeries,
  ColorType,
  createChart,
  CrosshairMode,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CandleBuilder, market, onTopic, scaleOf, useTopics, type Candle } from '../model';
import { hms } from './format';

const INTERVALS = [
  { sec: 1, label: '1s' },
  { sec: 60, label: '1m' },
] as const;

interface Chart {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  volume: ISeriesApi<'Histogram'>;
}

function makeChart(el: HTMLElement): Chart {
  const pad = (n: number) => String(n).padStart(2, '0');
  const chart = createChart(el, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: '#12161c' },
      textColor: '#7d8a99',
      fontSize: 11,
      fontFamily: "'DejaVu Sans Mono', ui-monospace, monospace",
      attributionLogo: false,
    },
    grid: { vertLines: { color: '#1a2028' }, horzLines: { color: '#1a2028' } },
    crosshair: { mode: CrosshairMode.Normal },
    rightPriceScale: { borderColor: '#222a33' },
    timeScale: {
      borderColor: '#222a33',
      timeVisible: true,
      secondsVisible: true,
      rightOffset: 4,
      barSpacing: 10,
      maxBarSpacing: 24,
      tickMarkFormatter: (t: Time) => {
        const d = new Date(Number(t) * 1000);
        return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      },
    },
    localization: { timeFormatter: (t: Time) => hms(Number(t) * 1000) },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: '#1fb58a',
    downColor: '#f0506e',
    borderVisible: false,
    wickUpColor: '#1fb58a',
    wickDownColor: '#f0506e',
    // The last price is in the header; a tag on the scale would cover the axis labels under it.
    lastValueVisible: false,
  });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.26 } });
  const volume = chart.addSeries(HistogramSeries, {
    priceFormat: { type: 'volume' },
    priceScaleId: 'vol',
    lastValueVisible: false,
    priceLineVisible: false,
  });
  chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  return { chart, candles, volume };
}

const bar = (c: Candle) => ({
  time: c.time as UTCTimestamp,
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
});
const vol = (c: Candle) => ({
  time: c.time as UTCTimestamp,
  value: c.volume,
  color: c.close >= c.open ? 'rgba(31,181,138,0.35)' : 'rgba(240,80,110,0.35)',
});

/** Candles built in the page from the trade stream (history from GET /trades, then live). */
export function PriceChart() {
  useTopics('instruments');
  const host = useRef<HTMLDivElement>(null);
  const [interval, setInterval_] = useState<number>(1);
  const [last, setLast] = useState<Candle | null>(null);
  const [count, setCount] = useState(0);
  const inst = market.instrument();

  useEffect(() => {
    const c = makeChart(host.current!);
    let builder = new CandleBuilder(interval);
    let key = '';
    let done = 0;
    const sync = () => {
      const tape = market.tape;
      const k = `${market.symbol}/${tape.epoch}/${interval}`;
      const scale = scaleOf(market.instrument()?.tickSize ?? '0.01');
      if (k !== key) {
        key = k;
        builder = new CandleBuilder(interval);
        for (const t of tape.trades) builder.add(t);
        done = tape.trades.length;
        c.candles.applyOptions({
          priceFormat: { type: 'price', precision: scale, minMove: 10 ** -scale },
        });
        c.candles.setData(builder.candles.map(bar));
        c.volume.setData(builder.candles.map(vol));
        c.chart.timeScale().fitContent();
      } else {
        const changed = new Set<Candle>();
        for (; done < tape.trades.length; done++) changed.add(builder.add(tape.trades[done]));
        for (const cd of changed) {
          c.candles.update(bar(cd));
          c.volume.update(vol(cd));
        }
      }
      setLast(builder.candles[builder.candles.length - 1] ?? null);
      setCount(builder.candles.length);
    };
    sync();
    const off = onTopic(['trades'], sync);
    return () => {
      off();
      c.chart.remove();
    };
  }, [interval]);

  const scale = scaleOf(inst?.tickSize ?? '0.01');
  const f = (x: number) => x.toFixed(scale);
  return (
    <section
      class="panel"
      style="grid-area:chart"
      data-testid="price-chart"
      data-interval={interval}
      data-candles={count}
    >
      <header>
        <span class="inst-line">
          <span class="sym">{market.symbol}</span>
          <span class="big">{inst?.lastPrice ?? '—'}</span>
          {inst !== undefined && (
            <span class="muted">
              tick {inst.tickSize} · lot {inst.lotSize} · ref {inst.referencePrice ?? '—'} · band ±
              {inst.bandPct ?? '—'}% · {market.phases.get(inst.symbol) ?? inst.phase}
            </span>
          )}
        </span>
        <span class="right">
          {last !== null && (
            <span class="ohlc">
              O<b>{f(last.open)}</b>H<b>{f(last.high)}</b>L<b>{f(last.low)}</b>C
              <b>{f(last.close)}</b>
            </span>
          )}
          <span class="seg" data-testid="chart-interval">
            {INTERVALS.map((i) => (
              <button
                key={i.sec}
                class={interval === i.sec ? 'on' : ''}
                data-interval={i.sec}
                onClick={() => setInterval_(i.sec)}
              >
                {i.label}
              </button>
            ))}
          </span>
        </span>
      </header>
      <div class="chart-host">
        <div ref={host} style="position:absolute;inset:0" />
        {last === null && (
          <div class="empty">No trades yet: candles appear with the first trade</div>
        )}
      </div>
    </section>
  );
}
