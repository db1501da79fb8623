import { useEffect, useState } from 'preact/hooks';

export type Topic =
  | 'conn'
  | 'instruments'
  | 'book'
  | 'trades'
  | 'session'
  | 'orders'
  | 'fills'
  | 'engine'
  | 'chaos'
  | 'ticket';

const dirty = new Set<Topic>();
const listeners = new Map<Topic, Set<() => void>>();
/**
 * Least time between two renders of a busy topic, ms. Nobody reads a ladder at 60 changes a
 * second; capping it keeps paint (the real cost in a software-rendered browser) bounded.
 */
const MIN_MS: Partial<Record<Topic, number>> = { book: 50, trades: 100, instruments: 250 };
const lastRun = new Map<Topic, number>();
let scheduled = false;
let frames = 0;

function schedule(): void {
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(flush);
  }
}

function flush(now: number): void {
  scheduled = false;
  frames++;
  const run = new Set<() => void>();
  for (const t of [...dirty]) {
    if (now - (lastRun.get(t) ?? -Infinity) < (MIN_MS[t] ?? 0)) continue;
    lastRun.set(t, now);
    dirty.delete(t);
    for (const l of listeners.get(t) ?? []) run.add(l);
  }
  for (const l of run) l();
  // Topics held back by their cap render on a later frame.
  if (dirty.size > 0) schedule();
}

/**
 * Marks a topic changed. However many messages arrive, each topic re-renders at most once per
 * animation frame (and no more often than its cap): this is what keeps the page responsive at 10k
 * updates/s.
 */
export function mark(topic: Topic): void {
  dirty.add(topic);
  schedule();
}

export function onTopic(topics: readonly Topic[], fn: () => void): () => void {
  for (const t of topics) {
    let set = listeners.get(t);
    if (set === undefined) listeners.set(t, (set = new Set()));
    set.add(fn);
  }
  return () => {
    for (const t of topics) listeners.get(t)?.delete(fn);
  };
}

/** Re-renders the calling component on the next frame after any of the topics changed. */
export function useTopics(...topics: Topic[]): number {
  const [n, setN] = useState(0);
  const key = topics.join(',');
  useEffect(() => onTopic(topics, () => setN((x) => x + 1)), [key]);
  return n;
}

export function framesRendered(): number {
  return frames;
}
