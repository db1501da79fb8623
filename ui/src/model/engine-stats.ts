import { publicGet, type EngineStats } from '../api';
import { mark } from './frame';

const HISTORY = 120;

/** GET /api/v1/engine once a second, with a short history for the sparklines. */
export class EnginePoller {
  stats: EngineStats | null = null;
  error: string | null = null;
  readonly history: { ordersPerSec: number; tradesPerSec: number; p99: number }[] = [];

  start(): void {
    void this.poll();
    setInterval(() => void this.poll(), 1000);
  }

  private async poll(): Promise<void> {
    try {
      const s = await publicGet<EngineStats>('/api/v1/engine');
      this.stats = s;
      this.error = null;
      this.history.push({
        ordersPerSec: s.ordersPerSec,
        tradesPerSec: s.tradesPerSec,
        p99: s.ackLatencyUs.p99,
      });
      if (this.history.length > HISTORY) this.history.shift();
    } catch (err) {
      this.error = (err as Error).message;
    }
    mark('engine');
  }
}
